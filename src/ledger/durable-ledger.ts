/**
 * The write path of the journal ledger. A write is applied in memory at once (so uniqueness is one
 * synchronous check and the next write to the same resource builds on it: per-resource serialisation for
 * free), appended to the journal and acknowledged only after the fsync that covers it. Writes arriving
 * while an fsync runs are appended together and share the next single fsync (group commit); each one's
 * promise resolves, and listeners hear of it, once that fsync completed, in seq order.
 *
 * If the disk refuses a write or its fsync, the ledger keeps memory and file consistent by giving up on
 * everything not yet acknowledged: every write of the failed group and every write queued behind it is
 * undone in memory newest first and refused (so the IdP retries it), the journal is cut back to its last
 * acknowledged byte, and the ledger stops taking writes until a restart. Retrying the fsync is no option:
 * after a failed fsync Linux may have dropped the dirty pages while reporting success the next time.
 * Nothing acknowledged is lost, and no refused write stays in memory or (as far as the disk lets the cut
 * succeed) in the file.
 *
 * Reads are not held back: a GET between a write and its fsync sees the write (the next write to that
 * resource must build on it anyway). Such a write is either acknowledged a moment later or, if its fsync
 * fails, undone with the ledger refusing every write from then on, so what a read showed is never
 * silently dropped while the service carries on.
 */
import { LedgerError, LedgerIoError, NotFoundError } from "./errors.js";
import type { JournalFile } from "./journal-file.js";
import type { JournalLedger, LedgerHealth, LedgerOptions } from "./journal-ledger-contract.js";
import { encodeRecord, recordOf } from "./journal-record.js";
import type { LedgerChange, LedgerOperation, ResourceType, ScimResource } from "./ledger.js";
import type { LedgerState } from "./ledger-state.js";
import type { HeldLock } from "./lock-file.js";
import { serialiseSnapshot, writeSnapshot } from "./snapshot-file.js";
import { stripPassword } from "./strip-password.js";

interface PendingWrite {
  readonly change: LedgerChange;
  readonly line: string;
  resolve(change: LedgerChange): void;
  reject(error: unknown): void;
}

export interface DurableLedgerParts {
  readonly dir: string;
  readonly lock: HeldLock;
  readonly journal: JournalFile;
  readonly state: LedgerState;
  readonly seq: number;
  readonly snapshotPath: string;
  readonly options: LedgerOptions;
  readonly log: (line: string) => void;
}

export class DurableLedger implements JournalLedger {
  readonly dir: string;
  readonly #parts: DurableLedgerParts;
  readonly #state: LedgerState;
  readonly #listeners = new Set<(change: LedgerChange) => void>();
  readonly #now: () => Date;
  readonly #compactAfterBytes: number;
  readonly #groupCommit: boolean;
  #assignedSeq: number;
  #durableSeq: number;
  #queue: PendingWrite[] = [];
  #waiters: { seq: number; resolve(): void; reject(error: unknown): void }[] = [];
  #pump: Promise<void> | undefined;
  #compactWanted = false;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;
  #fsyncs = 0;
  #compactions = 0;

  constructor(parts: DurableLedgerParts) {
    this.#parts = parts;
    this.dir = parts.dir;
    this.#state = parts.state;
    this.#assignedSeq = this.#durableSeq = parts.seq;
    this.#now = parts.options.now ?? (() => new Date());
    this.#compactAfterBytes = parts.options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.#groupCommit = parts.options.groupCommit ?? true;
  }

  get lastSeq(): number {
    return this.#durableSeq;
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

  update(
    type: ResourceType,
    id: string,
    operation: LedgerOperation,
    edit: (current: ScimResource | undefined) => ScimResource | undefined,
  ): Promise<LedgerChange> {
    if (this.#closed !== undefined) {
      return Promise.reject(new LedgerError("The identity ledger is closed: the server is shutting down"));
    }
    if (this.#failure !== undefined) return Promise.reject(this.#refusal());
    const before = this.#state.get(type, id);
    let after: ScimResource | undefined;
    try {
      const edited = edit(before);
      if (edited === undefined && before === undefined) throw new NotFoundError(type, id);
      if (edited === before) return this.#unchanged(type, id, operation, before);
      if (edited !== undefined && edited.id !== id) {
        throw new LedgerError(`An edit of ${type} ${id} returned a resource with id ${String(edited.id)}`);
      }
      after = edited === undefined ? undefined : stripPassword(edited);
      this.#state.apply(type, id, after);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new LedgerError(String(error)));
    }
    const change: LedgerChange = {
      seq: ++this.#assignedSeq,
      type,
      id,
      operation,
      before,
      after,
      at: this.#now().toISOString(),
    };
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, line: encodeRecord(recordOf(change)), resolve, reject });
      this.#kick();
    });
  }

  /** Nothing to write; answered once everything it may have read is durable, so no reply shows more. */
  async #unchanged(
    type: ResourceType,
    id: string,
    operation: LedgerOperation,
    current: ScimResource | undefined,
  ): Promise<LedgerChange> {
    const seq = this.#assignedSeq;
    if (seq > this.#durableSeq) {
      await new Promise<void>((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
    }
    return { seq, type, id, operation, before: current, after: current, at: this.#now().toISOString() };
  }

  subscribe(listener: (change: LedgerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  health(): LedgerHealth {
    return {
      ok: this.#failure === undefined,
      ...(this.#failure === undefined ? {} : { failure: this.#failure.message }),
      lastSeq: this.#durableSeq,
      users: this.#state.count("User"),
      groups: this.#state.count("Group"),
      pendingWrites: this.#assignedSeq - this.#durableSeq,
      journalBytes: this.#parts.journal.bytes,
      fsyncs: this.#fsyncs,
      compactions: this.#compactions,
    };
  }

  async compact(): Promise<void> {
    if (this.#failure !== undefined) throw this.#refusal();
    this.#compactWanted = true;
    this.#kick();
    await this.#settle();
    if (this.#failure !== undefined) throw this.#refusal();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#settle();
      if (this.#failure === undefined && this.#parts.journal.bytes > 0) {
        this.#compactWanted = true;
        this.#kick();
        await this.#settle();
      }
      await this.#parts.journal.close();
      await this.#parts.lock.release();
    })();
    return this.#closed;
  }

  #refusal(): LedgerIoError {
    return new LedgerIoError(
      "The identity ledger stopped taking writes after a disk failure: fix the disk and restart serve",
      { cause: this.#failure },
    );
  }

  async #settle(): Promise<void> {
    while (this.#pump !== undefined) await this.#pump;
  }

  #kick(): void {
    // setImmediate gathers every write that arrives in this turn of the event loop into the first batch.
    this.#pump ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .finally(() => {
        this.#pump = undefined;
        // Writes that arrived after the last look at the queue, while this pump was finishing.
        if ((this.#queue.length > 0 || this.#compactWanted) && this.#failure === undefined) this.#kick();
      });
  }

  async #drain(): Promise<void> {
    while ((this.#queue.length > 0 || this.#compactWanted) && this.#failure === undefined) {
      const compact = this.#compactWanted || this.#parts.journal.bytes >= this.#compactAfterBytes;
      this.#compactWanted = false;
      // Everything queued meanwhile goes into this append and its one fsync; without group commit, one
      // write. A snapshot always takes the whole queue: it holds the state after every write assigned.
      const batch = this.#groupCommit || compact ? this.#queue.splice(0) : this.#queue.splice(0, 1);
      try {
        if (compact) await this.#writeSnapshot();
        else await this.#parts.journal.append(Buffer.from(batch.map((write) => write.line).join("")));
        this.#fsyncs++;
      } catch (error) {
        this.#fail(error, batch);
        return;
      }
      this.#durableSeq = batch.at(-1)?.change.seq ?? this.#durableSeq;
      for (const write of batch) {
        write.resolve(write.change);
        this.#notify(write.change);
      }
      this.#releaseWaiters();
    }
  }

  /** The snapshot is taken in one synchronous step: exactly the state after the batch in hand. */
  async #writeSnapshot(): Promise<void> {
    const text = serialiseSnapshot({
      seq: this.#assignedSeq,
      users: this.#state.list("User"),
      groups: this.#state.list("Group"),
    });
    await writeSnapshot(this.#parts.snapshotPath, text);
    await this.#parts.journal.clear();
    this.#compactions++;
  }

  #notify(change: LedgerChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#parts.log(
          `ledger: a change listener failed: ${error instanceof Error ? error.message : "error"}`,
        );
      }
    }
  }

  #releaseWaiters(): void {
    const ready = this.#waiters.filter((waiter) => waiter.seq <= this.#durableSeq);
    this.#waiters = this.#waiters.filter((waiter) => waiter.seq > this.#durableSeq);
    for (const waiter of ready) waiter.resolve();
  }

  #fail(error: unknown, batch: readonly PendingWrite[]): void {
    this.#failure = error instanceof Error ? error : new LedgerIoError(String(error));
    const undone = [...batch, ...this.#queue];
    this.#queue = [];
    for (const write of [...undone].reverse()) {
      this.#state.force(write.change.type, write.change.id, write.change.before);
    }
    this.#assignedSeq = this.#durableSeq;
    const refusal = this.#refusal();
    for (const write of undone) write.reject(refusal);
    for (const waiter of this.#waiters) waiter.reject(refusal);
    this.#waiters = [];
    this.#parts.log(`ledger: ${refusal.message} (${this.#failure.message})`);
  }
}
