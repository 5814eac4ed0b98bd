/**
 * A stand-in for the journal ledger while it is being written: same contract (per-resource serialised
 * updates, case-insensitive name uniqueness refused with a `UniquenessError`, creation-order listing).
 */
import type {
  IdentityLedger,
  LedgerChange,
  LedgerOperation,
  ResourceType,
  ScimResource,
} from "../../../src/ledger/ledger.js";

class UniquenessError extends Error {
  override name = "UniquenessError";
}

function nameOf(type: ResourceType, resource: ScimResource | undefined): string | undefined {
  const name = type === "User" ? resource?.userName : resource?.displayName;
  return typeof name === "string" ? name.toLowerCase() : undefined;
}

export function openMemoryLedger(): IdentityLedger {
  const resources = { User: new Map<string, ScimResource>(), Group: new Map<string, ScimResource>() };
  const names = { User: new Map<string, string>(), Group: new Map<string, string>() };
  const chains = new Map<string, Promise<unknown>>();
  const listeners = new Set<(change: LedgerChange) => void>();
  let seq = 0;
  return {
    get: (type, id) => resources[type].get(id),
    list: (type) => [...resources[type].values()],
    findByName: (type, name) => {
      const id = names[type].get(name.toLowerCase());
      return id === undefined ? undefined : resources[type].get(id);
    },
    update(type: ResourceType, id: string, operation: LedgerOperation, edit) {
      const key = `${type}/${id}`;
      const run = (chains.get(key) ?? Promise.resolve()).then(async () => {
        const before = resources[type].get(id);
        const after = edit(before);
        const name = nameOf(type, after);
        const holder = name === undefined ? undefined : names[type].get(name);
        if (holder !== undefined && holder !== id) throw new UniquenessError(`${type} name taken`);
        const oldName = nameOf(type, before);
        if (oldName !== undefined) names[type].delete(oldName);
        if (after === undefined) resources[type].delete(id);
        else resources[type].set(id, after);
        if (name !== undefined) names[type].set(name, id);
        await new Promise((resolve) => setImmediate(resolve));
        const change: LedgerChange = {
          seq: ++seq,
          type,
          id,
          operation,
          before,
          after,
          at: new Date().toISOString(),
        };
        for (const listener of listeners) listener(change);
        return change;
      });
      chains.set(
        key,
        run.catch(() => undefined),
      );
      return run;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get lastSeq() {
      return seq;
    },
    close: () => Promise.resolve(),
  };
}
