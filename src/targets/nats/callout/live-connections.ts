import type { NatsConnection } from "nats";
import { narrowsPermissions, type AccountPermissions, type NatsEntry } from "../entry.js";
import { kickConnection, listConnections, type LiveConnection } from "../connz.js";

interface Tracked {
  readonly serverId: string;
  readonly cid: number;
  readonly account: string;
  /** What the user JWT granted. */
  readonly permissions: AccountPermissions;
}

/** The table as reconciliation sees it: the entry and when it last changed. */
export type TableLookup = (
  principal: string,
) => { readonly entry: NatsEntry; readonly modified: Date } | undefined;

/**
 * Kicks connections whose permissions the table no longer backs. Those this instance authorized are known
 * with their permissions; CONNZ finds those another instance authorized, and reconciliation sweeps all.
 */
export class LiveConnections {
  readonly #sys: NatsConnection;
  readonly #log: (line: string) => void;
  readonly #tracked = new Map<string, Map<string, Tracked>>();

  constructor(sys: NatsConnection, log: (line: string) => void) {
    this.#sys = sys;
    this.#log = log;
  }

  track(principal: string, connection: Tracked): void {
    const own = this.#tracked.get(principal) ?? new Map<string, Tracked>();
    own.set(`${connection.serverId}:${connection.cid}`, connection);
    this.#tracked.set(principal, own);
  }

  /** After a table change: kick what was removed, disabled or narrowed; keep what only widened. */
  async onChange(
    principal: string,
    before: NatsEntry | undefined,
    after: NatsEntry | undefined,
    changedAt: Date,
  ): Promise<number> {
    const now = (account: string) => (after?.disabled === true ? undefined : after?.accounts[account]);
    const was = (account: string) => (before?.disabled === true ? undefined : before?.accounts[account]);
    // Nothing was taken away (a new person, a widening): no connection needs to go, and no CONNZ round trip
    // should delay the next change behind this one.
    const accounts = Object.keys(before?.accounts ?? {});
    if (
      before?.disabled === true ||
      accounts.every((account) => !narrowsPermissions(was(account), now(account)))
    ) {
      return 0;
    }
    const kicks: Promise<boolean>[] = [];
    const handled = new Set<string>();
    const own = this.#tracked.get(principal) ?? new Map<string, Tracked>();
    for (const [id, connection] of own) {
      handled.add(id);
      const current = now(connection.account);
      if (current !== undefined && !narrowsPermissions(connection.permissions, current)) continue;
      own.delete(id);
      kicks.push(this.#kick(principal, connection));
    }
    // Connections another instance authorized before the change (a later one, a reconnect say, got the new
    // permissions), judged by what the table held before it.
    const live = await listConnections(this.#sys, { user: principal, windowMs: 15 });
    for (const connection of live) {
      const id = `${connection.serverId}:${connection.cid}`;
      if (!connection.viaCallout || handled.has(id) || connection.start > changedAt) continue;
      const current = now(connection.account);
      const previous = was(connection.account);
      if (current !== undefined && (previous === undefined || !narrowsPermissions(previous, current)))
        continue;
      kicks.push(this.#kick(principal, connection));
    }
    return (await Promise.all(kicks)).filter(Boolean).length;
  }

  /**
   * Every callout connection the table no longer backs: its entry or account is gone or disabled, or (for a
   * connection this instance did not authorize, whose permissions it cannot know) the entry changed after
   * the connection started. Run at start, when changes made while the service was down are unknown.
   */
  async reconcile(lookup: TableLookup): Promise<number> {
    const live = await listConnections(this.#sys, { windowMs: 50 });
    const kicks: Promise<boolean>[] = [];
    const seen = new Set<string>();
    for (const connection of live) {
      if (!connection.viaCallout) continue;
      const id = `${connection.serverId}:${connection.cid}`;
      seen.add(id);
      const found = lookup(connection.user);
      const current = found?.entry.disabled === true ? undefined : found?.entry.accounts[connection.account];
      const tracked = this.#tracked.get(connection.user)?.get(id);
      let stale: boolean;
      if (current === undefined) stale = true;
      else if (tracked !== undefined) stale = narrowsPermissions(tracked.permissions, current);
      else stale = found !== undefined && found.modified > connection.start;
      if (stale) {
        this.#tracked.get(connection.user)?.delete(id);
        kicks.push(this.#kick(connection.user, connection));
      }
    }
    for (const own of this.#tracked.values()) {
      for (const id of own.keys()) if (!seen.has(id)) own.delete(id);
    }
    return (await Promise.all(kicks)).filter(Boolean).length;
  }

  async #kick(principal: string, connection: Pick<LiveConnection, "serverId" | "cid">): Promise<boolean> {
    try {
      await kickConnection(this.#sys, connection);
      this.#log(`kicked connection ${connection.cid} of ${principal} on ${connection.serverId}`);
      return true;
    } catch (error) {
      // Gone already (another instance was faster, or the client left): nothing to do.
      const message = error instanceof Error ? error.message : String(error);
      this.#log(`kick of ${principal}'s connection ${connection.cid} not done: ${message}`);
      return false;
    }
  }
}
