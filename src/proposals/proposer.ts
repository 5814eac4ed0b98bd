import type { IdentityLedger } from "../ledger/ledger.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import type { EmergencyHost } from "./emergency-host.js";
import { branchEmergencyHost } from "./emergency-host.js";
import { repositoryActions } from "./proposer-actions.js";
import { DEFAULT_CONFIG } from "./proposer-core.js";
import type { ProposerLogger, ProposerState } from "./proposer-state.js";
import type { SyncResult } from "./sync-branch.js";
import { ProposerWorker } from "./proposer-worker.js";

export type { ProposerLogger, ProposerState } from "./proposer-state.js";

export interface ProposerOptions {
  readonly ledger: IdentityLedger;
  readonly repo: PolicyRepo;
  /** Where emergency proposals are opened and merged; branches of `repo` by default. */
  readonly emergencyHost?: EmergencyHost;
  /**
   * Runs after each successful sync flush (GitHub mode: the sync pull request); a failure is logged and it
   * runs again after a backoff (or the host's retry-after), so the PR catches up without a new change.
   */
  readonly afterSync?: (result: SyncResult) => Promise<void>;
  /** DESIGN §9 `POLICY_DIR`. */
  readonly policyDir?: string;
  /** Quiet time after the last change before a flush. */
  readonly debounceMs?: number;
  /** A steady stream of changes (an import) still flushes this often. */
  readonly maxWaitMs?: number;
  /** This many pending changes flush at once, without waiting. */
  readonly maxBatch?: number;
  /** Emergency cases in one proposal (default 500), so one proof stays fast. */
  readonly maxEmergencyBatch?: number;
  /** How often to look for main moving under us (a person merging); 0 turns it off. */
  readonly watchMainMs?: number;
  /**
   * Waits after the 1st, 2nd, … failure of a flush or an emergency (default 0.5 s, 2 s, 10 s, 30 s; the last
   * repeats). A host's retry-after replaces them.
   */
  readonly retryDelaysMs?: readonly number[];
  /** Wall-clock time written into commits, branch names and tombstones. */
  readonly now?: () => Date;
  readonly log?: ProposerLogger;
}

export interface Proposer {
  /** Commits everything pending now (emergencies first); rejects when the last flush attempt failed. */
  flush(): Promise<void>;
  state(): ProposerState;
  /**
   * Main may have moved (a `push` webhook): look now rather than at the next `watchMainMs` poll, which stays
   * as the fallback when webhooks are lost. Cheap; repeated calls coalesce into one look.
   */
  mainMayHaveMoved(): void;
  /** Called with the new head whenever main moves (an emergency merge or a person); returns unsubscribe. */
  onMainMoved(listener: (head: string) => void): () => void;
  /** Stops following the ledger and finishes the work in hand; pending changes are flushed first. */
  close(): Promise<void>;
}

/**
 * Follows the ledger and turns its changes into proposals (DESIGN §5, §8): batched sync commits and
 * batched emergency revocations. The decisions are proposer-core's; the worker performs them.
 */
export function startProposer(options: ProposerOptions): Proposer {
  const { ledger, repo } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? { info() {}, warn() {}, error() {} };
  const listeners = new Set<(head: string) => void>();
  const deletedAt = new Map<string, string>();
  const worker = new ProposerWorker({
    actions: repositoryActions({
      repo,
      host: options.emergencyHost ?? branchEmergencyHost(repo),
      ledger,
      policyDir: options.policyDir ?? "policies",
      now,
      deletedAt: (id) => deletedAt.get(id) ?? now().toISOString(),
      ...(options.afterSync === undefined ? {} : { afterSync: options.afterSync }),
    }),
    config: {
      ...DEFAULT_CONFIG,
      ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
      ...(options.maxEmergencyBatch === undefined ? {} : { emergencyBatch: options.maxEmergencyBatch }),
      ...(options.watchMainMs === undefined ? {} : { watchMainMs: options.watchMainMs }),
      ...(options.retryDelaysMs === undefined ? {} : { retryDelaysMs: options.retryDelaysMs }),
    },
    clock: () => performance.now(),
    now,
    log,
    mainMoved: (head) => {
      for (const listener of listeners) listener(head);
    },
  });
  const unsubscribe = ledger.subscribe((change) => {
    if (change.type === "User" && change.after === undefined) deletedAt.set(change.id, change.at);
    worker.changeArrived(change);
  });
  void worker.settled();

  return {
    async flush() {
      worker.requestFlush();
      await worker.settled();
      const error = worker.lastFlushError;
      if (error !== undefined) throw error;
    },
    state: () => worker.state(),
    mainMayHaveMoved: () => worker.mainMayHaveMoved(),
    onMainMoved(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      unsubscribe();
      if (worker.core.pending.length > 0) worker.requestFlush();
      await worker.settled();
      worker.stop();
    },
  };
}
