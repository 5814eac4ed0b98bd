import type { IdentityLedger, LedgerChange, ResourceType, ScimResource } from "../../ledger/ledger.js";
import { LedgerState } from "../../ledger/ledger-state.js";
import type { ThreadChange } from "./thread-messages.js";

/**
 * The proposer thread's copy of the identity ledger: seeded with every resource, then kept level by the
 * changes the service thread forwards once each is durable. Read-only to the proposer, as the ledger is.
 */
export class MirrorLedger implements IdentityLedger {
  readonly #state = new LedgerState();
  readonly #listeners = new Set<(change: LedgerChange) => void>();
  #lastSeq: number;

  constructor(seed: {
    readonly users: readonly ScimResource[];
    readonly groups: readonly ScimResource[];
    readonly lastSeq: number;
  }) {
    for (const user of seed.users) this.#state.force("User", user.id, user);
    for (const group of seed.groups) this.#state.force("Group", group.id, group);
    this.#lastSeq = seed.lastSeq;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get(type: ResourceType, id: string): ScimResource | undefined {
    return this.#state.get(type, id);
  }

  list(type: ResourceType): readonly ScimResource[] {
    return this.#state.list(type);
  }

  findByName(type: ResourceType, name: string): ScimResource | undefined {
    return this.#state.findByName(type, name);
  }

  /** A change the ledger acknowledged, in seq order. */
  receive(change: ThreadChange): void {
    const before = this.#state.get(change.type, change.id);
    this.#state.force(change.type, change.id, change.after);
    this.#lastSeq = change.seq;
    const full: LedgerChange = { ...change, before };
    for (const listener of this.#listeners) listener(full);
  }

  update(): Promise<LedgerChange> {
    return Promise.reject(new Error("the proposer thread's ledger copy takes no writes"));
  }

  subscribe(listener: (change: LedgerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
