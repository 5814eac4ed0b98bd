import type {
  IdentityLedger,
  LedgerChange,
  LedgerOperation,
  ResourceType,
  ScimResource,
} from "../../src/ledger/ledger.js";

/**
 * The ledger contract (src/ledger/ledger.ts) in memory, for driving the proposer without the journal: the
 * same ordering (creation order lists, seq order notifications), serialised read-modify-write per resource.
 */
export class MemoryLedger implements IdentityLedger {
  readonly #resources: Record<ResourceType, Map<string, ScimResource>> = {
    User: new Map(),
    Group: new Map(),
  };
  readonly #listeners = new Set<(change: LedgerChange) => void>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #seq = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  get lastSeq(): number {
    return this.#seq;
  }

  get(type: ResourceType, id: string): ScimResource | undefined {
    return this.#resources[type].get(id);
  }

  list(type: ResourceType): readonly ScimResource[] {
    return [...this.#resources[type].values()];
  }

  findByName(type: ResourceType, name: string): ScimResource | undefined {
    const key = type === "User" ? "userName" : "displayName";
    const wanted = name.toLowerCase();
    return this.list(type).find((resource) => String(resource[key]).toLowerCase() === wanted);
  }

  update(
    type: ResourceType,
    id: string,
    operation: LedgerOperation,
    edit: (current: ScimResource | undefined) => ScimResource | undefined,
  ): Promise<LedgerChange> {
    const key = `${type}/${id}`;
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(() => {
      const before = this.#resources[type].get(id);
      const after = edit(before);
      if (after === undefined) this.#resources[type].delete(id);
      else this.#resources[type].set(id, after);
      const change: LedgerChange = {
        seq: ++this.#seq,
        type,
        id,
        operation,
        before,
        after,
        at: this.clock().toISOString(),
      };
      for (const listener of this.#listeners) listener(change);
      return change;
    });
    this.#queues.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }

  subscribe(listener: (change: LedgerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all(this.#queues.values());
  }
}
