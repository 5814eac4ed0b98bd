import type { IdentityLedger, LedgerChange } from "../ledger/ledger.js";
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import type { OperationRef } from "./commit-message.js";
import { runEmergency } from "./emergency.js";
import { emergencySettingsFrom } from "./emergency-settings.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { DEFAULT_TRIGGERS, detectEmergency } from "./emergency-trigger.js";
import type { ProposerLogger, ProposerState } from "./proposer-state.js";
import { ProposerStats } from "./proposer-state.js";
import { IdentityRenderer } from "./render-identities.js";
import type { KnownSync } from "./sync-branch.js";
import { flushSyncBranch, identitiesDir } from "./sync-branch.js";
import { recoverEmergencies } from "./recover-emergencies.js";

export type { ProposerLogger, ProposerState } from "./proposer-state.js";

export interface ProposerOptions {
  readonly ledger: IdentityLedger;
  readonly repo: PolicyRepo;
  /** DESIGN §9 `POLICY_DIR`. */
  readonly policyDir?: string;
  /** Quiet time after the last change before a flush. */
  readonly debounceMs?: number;
  /** A steady stream of changes (an import) still flushes this often. */
  readonly maxWaitMs?: number;
  /** This many pending changes flush at once, without waiting. */
  readonly maxBatch?: number;
  /** How often to look for main moving under us (a person merging); 0 turns it off. */
  readonly watchMainMs?: number;
  readonly now?: () => Date;
  readonly log?: ProposerLogger;
}

export interface Proposer {
  /** Commits everything pending now (emergencies first); rejects when the last flush attempt failed. */
  flush(): Promise<void>;
  state(): ProposerState;
  /** Called with the new head whenever main moves (an emergency merge or a person); returns unsubscribe. */
  onMainMoved(listener: (head: string) => void): () => void;
  /** Stops following the ledger and finishes the work in hand; pending changes are flushed first. */
  close(): Promise<void>;
}

const RETRY_DELAYS_MS = [500, 2_000, 10_000, 30_000];

/**
 * Follows the ledger and turns its changes into proposals (DESIGN §5, §8): batched sync commits and
 * immediate emergency revocations. One worker does all repository writes, in order, so emergencies never
 * race the sync branch inside this process; the repository's compare-and-swap covers everyone else.
 */
export function startProposer(options: ProposerOptions): Proposer {
  const { ledger, repo } = options;
  const policyDir = options.policyDir ?? "policies";
  const debounceMs = options.debounceMs ?? 300;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  const maxBatch = options.maxBatch ?? 5_000;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? { info() {}, warn() {}, error() {} };
  const renderer = new IdentityRenderer();
  const stats = new ProposerStats();
  const listeners = new Set<(head: string) => void>();
  const emergencies: EmergencyCase[] = [];
  const deletedAt = new Map<string, string>();
  let pending: OperationRef[] = [];
  let known: KnownSync | undefined;
  let triggers: readonly EmergencyTrigger[] = DEFAULT_TRIGGERS;
  let mainHead: string | undefined;
  let flushWanted = true;
  let recoverWanted = true;
  let failures = 0;
  let lastFlushError: Error | undefined;
  let closed = false;
  let worker: Promise<void> | undefined;
  let debounceTimer: NodeJS.Timeout | undefined;
  let maxWaitTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const clearTimers = () => {
    for (const timer of [debounceTimer, maxWaitTimer, retryTimer]) clearTimeout(timer);
    debounceTimer = maxWaitTimer = retryTimer = undefined;
  };
  const requestFlush = () => {
    clearTimers();
    flushWanted = true;
    kick();
  };
  const kick = () => {
    worker ??= work().finally(() => {
      worker = undefined;
      if (flushWanted || emergencies.length > 0) kick();
    });
  };

  const observeMain = async (head: string) => {
    if (head === mainHead) return;
    const moved = mainHead !== undefined;
    mainHead = head;
    const settings = await repo.readFile(head, inPolicyDir(policyDir, "settings.yaml"));
    triggers = emergencySettingsFrom(settings, { dir: policyDir, now: now() }).triggers;
    if (!moved) return;
    stats.mainMoved();
    for (const listener of listeners) {
      try {
        listener(head);
      } catch (error) {
        log.error(`a main-moved listener failed: ${String(error)}`);
      }
    }
  };

  const handleEmergency = async (emergency: EmergencyCase) => {
    const started = performance.now();
    try {
      const outcome = await runEmergency({
        repo,
        policyDir,
        renderer,
        emergency,
        now,
        userNameOf: (id) => stringField(ledger.get("User", id)?.["userName"]),
      });
      stats.emergency(outcome, now(), performance.now() - started);
      const where = outcome.branch === undefined ? "" : ` (${outcome.branch})`;
      const line = `emergency ${emergency.trigger} of ${emergency.kind} ${emergency.id}: ${outcome.status}${where}: ${outcome.reason}`;
      if (outcome.status === "refused") log.warn(line);
      else log.info(line);
      if (outcome.mergeCommit !== undefined) {
        await observeMain(outcome.mergeCommit);
        flushWanted = true;
      }
    } catch (error) {
      stats.emergencyFailed(error, now());
      log.error(
        `emergency ${emergency.trigger} of ${emergency.kind} ${emergency.id} failed: ${String(error)}; ` +
          `the sync branch still carries the revocation for review`,
      );
    }
  };

  const flushOnce = async () => {
    clearTimers();
    flushWanted = false;
    const operations = pending;
    pending = [];
    const started = performance.now();
    try {
      const result = await flushSyncBranch({
        repo,
        policyDir,
        renderer,
        ledger: { users: ledger.list("User"), groups: ledger.list("Group") },
        operations,
        deletedAt: (id) => deletedAt.get(id) ?? now().toISOString(),
        ...(known === undefined ? {} : { known }),
      });
      known = result.known;
      failures = 0;
      lastFlushError = undefined;
      stats.flushed(result, now(), performance.now() - started);
      await observeMain(result.base);
    } catch (error) {
      pending = [...operations, ...pending];
      lastFlushError = error instanceof Error ? error : new Error(String(error));
      stats.flushFailed(error);
      const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)] ?? 30_000;
      failures++;
      log.error(`sync flush failed (retrying in ${delay} ms): ${String(error)}`);
      if (!closed) retryTimer = setTimeout(requestFlush, delay).unref();
    }
  };

  const recover = async () => {
    recoverWanted = false;
    try {
      const base = await repo.head(repo.baseBranch);
      if (base === undefined) return;
      await observeMain(base);
      const main = await repo.readFiles(base, identitiesDir(policyDir));
      const found = recoverEmergencies(ledger, main, renderer, triggers, now().toISOString());
      if (found.length > 0)
        log.warn(`${found.length} deactivation(s) reached no emergency before a restart: revoking now`);
      emergencies.push(...found);
    } catch (error) {
      log.error(`cannot look for deactivations missed before a restart: ${String(error)}`);
    }
  };

  const work = async () => {
    if (recoverWanted) await recover();
    while (emergencies.length > 0 || flushWanted) {
      const emergency = emergencies.shift();
      if (emergency !== undefined) await handleEmergency(emergency);
      else await flushOnce();
    }
  };

  const onChange = (change: LedgerChange) => {
    if (closed) return;
    pending.push({ seq: change.seq, type: change.type, id: change.id, operation: change.operation });
    if (change.type === "User" && change.after === undefined) deletedAt.set(change.id, change.at);
    const emergency = detectEmergency(change, triggers);
    if (emergency !== undefined) {
      emergencies.push(emergency);
      kick();
    }
    if (pending.length >= maxBatch) return requestFlush();
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(requestFlush, debounceMs).unref();
    maxWaitTimer ??= setTimeout(requestFlush, maxWaitMs).unref();
  };

  const unsubscribe = ledger.subscribe(onChange);
  const lookAtMain = () =>
    void repo.head(repo.baseBranch).then(
      (head) => {
        if (head !== undefined && mainHead !== undefined && head !== mainHead) requestFlush();
      },
      (error: unknown) => log.warn(`cannot read ${repo.baseBranch}: ${String(error)}`),
    );
  const watchMainMs = options.watchMainMs ?? 2_000;
  const watcher = watchMainMs > 0 ? setInterval(lookAtMain, watchMainMs).unref() : undefined;
  kick();

  const settle = async () => {
    while (worker !== undefined) await worker;
  };

  return {
    async flush() {
      // A running flush took every pending change with its ledger snapshot; another would add nothing.
      if (pending.length > 0 || worker === undefined) requestFlush();
      await settle();
      if (lastFlushError !== undefined) throw lastFlushError;
    },
    state: () => stats.snapshot(pending.length + emergencies.length, emergencies.length, mainHead),
    onMainMoved(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      unsubscribe();
      clearInterval(watcher);
      if (pending.length > 0) requestFlush();
      await settle();
      closed = true;
      clearTimers();
    },
  };
}

function inPolicyDir(policyDir: string, path: string): string {
  const dir = policyDir.replace(/^\/+|\/+$/g, "");
  return dir === "" ? path : `${dir}/${path}`;
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
