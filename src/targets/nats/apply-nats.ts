import { createHash } from "node:crypto";
import type { KV } from "nats";
import type { ChangeResult, PlannedChange, TargetApplyResult, TargetPlan } from "../../plan/plan.js";
import { openOrCreateBucket } from "./bucket.js";
import type { NatsTargetConnection } from "./connect-nats.js";
import { kickConnection, listConnections } from "./connz.js";
import { decodeEntry, encodeEntry, type AccountPermissions, type NatsEntry } from "./entry.js";
import { isNatsOperation, type NatsOperation } from "./operation.js";

/** How long apply waits for the callout service to kick a narrowed person before kicking itself. */
const KICK_WAIT_MS = 500;
const POLL_MS = 10;

/**
 * One write per person (their changes merged into their entry, compare-and-set on its revision), people who
 * lose something first. Then the evidence: none of their live connections remain.
 */
export async function applyNatsPlan(
  connection: NatsTargetConnection,
  plan: TargetPlan,
  changedBy: string | undefined,
): Promise<TargetApplyResult> {
  const byKey = new Map<string, { operation: NatsOperation; change: PlannedChange }[]>();
  const results: ChangeResult[] = [];
  for (const change of plan.changes) {
    if (!isNatsOperation(change.operation)) {
      results.push({ change, ok: false, error: "not a NATS operation: make a new plan with this version" });
      continue;
    }
    const operation = change.operation;
    const list = byKey.get(operation.key) ?? [];
    list.push({ operation, change });
    byKey.set(operation.key, list);
  }
  if (byKey.size === 0) return { target: "nats", results, evidence: [] };
  const bucket = [...byKey.values()][0]![0]!.operation.bucket;
  const kv = await openOrCreateBucket(await connection.auth(), bucket);
  const author =
    changedBy ??
    `plan:${createHash("sha256").update(plan.actualFingerprint).update(JSON.stringify(plan.changes)).digest("hex").slice(0, 12)}`;
  const ordered = [...byKey.entries()].sort(
    ([, a], [, b]) =>
      Number(b.some((item) => item.change.narrows)) - Number(a.some((item) => item.change.narrows)),
  );
  const narrowed: Narrowed[] = [];
  for (const [key, items] of ordered) {
    try {
      await writePerson(
        kv,
        key,
        items.map((item) => item.operation),
        author,
      );
      for (const item of items) results.push({ change: item.change, ok: true });
      if (items.some((item) => item.change.narrows)) {
        // The server's own time of the write: connections that started later got the new permissions.
        const written = (await kv.get(key))?.created ?? new Date(0);
        narrowed.push({ principal: items[0]!.operation.principal, written });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const item of items) {
        results.push({
          change: item.change,
          ok: false,
          error: `writing ${bucket}/${key} failed: ${message}; run apply again`,
        });
      }
    }
  }
  const order = new Map(plan.changes.map((change, index) => [change, index]));
  results.sort((a, b) => (order.get(a.change) ?? 0) - (order.get(b.change) ?? 0));
  return { target: "nats", results, ...(await confirmDisconnected(connection, narrowed)) };
}

interface Narrowed {
  readonly principal: string;
  readonly written: Date;
}

async function writePerson(
  kv: KV,
  key: string,
  operations: readonly NatsOperation[],
  changedBy: string,
): Promise<void> {
  const current = await kv.get(key);
  const live = current !== null && current.operation === "PUT" ? current : undefined;
  const before: NatsEntry | undefined = live === undefined ? undefined : decodeEntry(key, live.value);
  const accounts: Record<string, AccountPermissions> = { ...(before?.accounts ?? {}) };
  let enable = false;
  for (const operation of operations) {
    if (operation.permissions === null) delete accounts[operation.account];
    else accounts[operation.account] = operation.permissions;
    if (operation.enable === true) enable = true;
  }
  if (Object.keys(accounts).length === 0) {
    if (live !== undefined) await kv.delete(key, { previousSeq: live.revision });
    return;
  }
  const disabled = before?.disabled === true && !enable;
  const entry: NatsEntry = {
    v: 1,
    principal: operations[0]!.principal,
    accounts,
    ...(disabled ? { disabled: true } : {}),
    changedBy,
  };
  if (live === undefined) await kv.create(key, encodeEntry(entry));
  else await kv.update(key, encodeEntry(entry), live.revision);
}

/**
 * Evidence that no connection of a narrowed person survives: the callout service kicks them; if some remain
 * after a short wait, apply kicks them itself (the system user may) and says so.
 */
async function confirmDisconnected(
  connection: NatsTargetConnection,
  narrowed: readonly Narrowed[],
): Promise<{ evidence: string[]; incomplete?: string[] }> {
  if (narrowed.length === 0) return { evidence: [] };
  const principals = narrowed.map((each) => each.principal);
  if (!connection.hasSystemUser) {
    return {
      evidence: [
        `live connections of ${principals.join(", ")} not checked: set NATS_SYS_USER/NATS_SYS_PASSWORD or NATS_SYS_CREDS (the system-account user allowed KICK and CONNZ)`,
      ],
    };
  }
  const evidence: string[] = [];
  const incomplete: string[] = [];
  const sys = await connection.sys();
  const started = performance.now();
  await Promise.all(
    narrowed.map(async ({ principal, written }) => {
      // A reconnect after the write holds the new permissions; only connections from before it count.
      const stale = async () =>
        (await listConnections(sys, { user: principal, windowMs: 20 })).filter(
          (each) => each.start <= written,
        );
      try {
        let live = await stale();
        while (live.length > 0 && performance.now() - started < KICK_WAIT_MS) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          live = await stale();
        }
        const waited = Math.round(performance.now() - started);
        if (live.length === 0) {
          evidence.push(`${principal}: 0 live connections remain (checked ${waited} ms after apply)`);
          return;
        }
        await Promise.all(live.map((each) => kickConnection(sys, each)));
        const after = await stale();
        if (after.length === 0) {
          evidence.push(
            `${principal}: ${live.length} live connection(s) kicked by apply after ${waited} ms (is scim-gitops nats-auth running?); 0 remain`,
          );
        } else {
          incomplete.push(
            `${principal}: ${after.length} live connection(s) remain after a kick: check the nats-server logs`,
          );
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        incomplete.push(
          `${principal}: live connections could not be checked (${message}): check NATS_SYS_USER's permissions`,
        );
      }
    }),
  );
  evidence.sort();
  return incomplete.length > 0 ? { evidence, incomplete } : { evidence };
}
