/**
 * Exact-match indexes for the lookups IdPs repeat per object (Entra's `externalId eq`, `emails[type eq
 * "work"].value eq`), kept from the ledger's changes, so they cost a map lookup instead of a full scan.
 * userName/displayName go through the ledger's own name index.
 */
import type { IdentityLedger, LedgerChange, ResourceType, ScimResource } from "../ledger/ledger.js";
import { isObject } from "./normalise.js";

export type LookupKey = "externalId" | "email";

function keysOf(resource: ScimResource | undefined): [LookupKey, string][] {
  if (resource === undefined) return [];
  const keys: [LookupKey, string][] = [];
  if (typeof resource.externalId === "string") keys.push(["externalId", resource.externalId]);
  if (Array.isArray(resource.emails)) {
    for (const email of resource.emails as unknown[]) {
      const value = isObject(email) ? email.value : undefined;
      if (typeof value === "string") keys.push(["email", value.toLowerCase()]);
    }
  }
  return keys;
}

export class LookupIndex {
  readonly #ledger: IdentityLedger;
  readonly #index = new Map<string, Set<string>>();
  readonly #indexed = new Map<string, { seq: number; keys: [LookupKey, string][] }>();
  readonly #unsubscribe: () => void;

  constructor(ledger: IdentityLedger) {
    this.#ledger = ledger;
    this.#unsubscribe = ledger.subscribe((change) => this.apply(change));
    for (const type of ["User", "Group"] as const) {
      for (const resource of ledger.list(type)) this.#set(type, resource.id, -1, resource);
    }
  }

  /** Idempotent and order-safe: a change older than one already applied to that resource is ignored. */
  apply(change: LedgerChange): void {
    this.#set(change.type, change.id, change.seq, change.after);
  }

  find(type: ResourceType, key: LookupKey, value: string): ScimResource[] {
    const normalised = key === "email" ? value.toLowerCase() : value;
    const ids = this.#index.get(`${type}\u0000${key}\u0000${normalised}`) ?? [];
    return [...ids]
      .map((id) => this.#ledger.get(type, id))
      .filter((resource): resource is ScimResource => resource !== undefined);
  }

  close(): void {
    this.#unsubscribe();
  }

  #set(type: ResourceType, id: string, seq: number, resource: ScimResource | undefined): void {
    const slot = `${type}\u0000${id}`;
    const previous = this.#indexed.get(slot);
    if (previous !== undefined && previous.seq >= seq && seq >= 0) return;
    for (const [key, value] of previous?.keys ?? [])
      this.#index.get(`${type}\u0000${key}\u0000${value}`)?.delete(id);
    const keys = keysOf(resource);
    for (const [key, value] of keys) {
      const entry = `${type}\u0000${key}\u0000${value}`;
      let ids = this.#index.get(entry);
      if (ids === undefined) this.#index.set(entry, (ids = new Set()));
      ids.add(id);
    }
    if (resource === undefined) this.#indexed.set(slot, { seq, keys: [] });
    else this.#indexed.set(slot, { seq, keys });
  }
}
