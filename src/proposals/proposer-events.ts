/**
 * What happens to the proposer, as pure transitions of proposer-core's state: a ledger change, a flush or an
 * emergency batch finishing or failing, main moving, the host asking for quiet. Time is an argument.
 */
import type { LedgerChange } from "../ledger/ledger.js";
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { CoreState, ProposerConfig, QueuedEmergency } from "./proposer-core.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { detectEmergency } from "./emergency-trigger.js";

/**
 * A push webhook says main moved: look now instead of at the next poll. Repeated calls before the look
 * coalesce into one; a call while a look is in flight asks for one more, since that look may have read
 * main before the push.
 */
export function mainMayHaveMoved(state: CoreState, now: number): CoreState {
  if (state.nextMainCheckAt !== undefined && state.nextMainCheckAt <= now) return state;
  return { ...state, nextMainCheckAt: now };
}

/** A durable ledger change: pending for the next sync, and an emergency when main's triggers say so. */
export function changeArrived(state: CoreState, change: LedgerChange, now: number): CoreState {
  const operation = { seq: change.seq, type: change.type, id: change.id, operation: change.operation };
  const emergency = detectEmergency(change, state.triggers);
  return {
    ...state,
    pending: [...state.pending, operation],
    lastChangeAt: now,
    firstPendingAt: state.firstPendingAt ?? now,
    emergencies: emergency === undefined ? state.emergencies : [...state.emergencies, queued(emergency, now)],
  };
}

/** `flush()`: commit now, backoff or not. */
export function flushRequested(state: CoreState): CoreState {
  return { ...state, syncWanted: "forced" };
}

/** Start-up looked at main (`base`, its `triggers`) and found deactivations no emergency handled. */
export function recovered(
  state: CoreState,
  recovery: {
    readonly base: string | undefined;
    readonly triggers: readonly EmergencyTrigger[];
    readonly found: readonly EmergencyCase[];
  },
  now: number,
): CoreState {
  const { recoverRetryAt: _retry, ...rest } = done(state);
  const after = {
    ...rest,
    recoverFailures: 0,
    emergencies: [...state.emergencies, ...recovery.found.map((emergency) => queued(emergency, now))],
  };
  if (recovery.base === undefined) return after;
  return { ...after, mainHead: recovery.base, settingsHead: recovery.base, triggers: recovery.triggers };
}

/**
 * Start-up could not look for missed deactivations (GitHub down, say): it is tried again after a backoff,
 * and meanwhile the sync branch may go ahead, carrying them for review.
 */
export function recoveryFailed(
  state: CoreState,
  now: number,
  config: ProposerConfig,
  retryAfterMs?: number,
): CoreState {
  return quiet(
    {
      ...done(state),
      recoverWanted: true,
      recoverFailures: state.recoverFailures + 1,
      recoverRetryAt: retryTime(state.recoverFailures, now, config, retryAfterMs),
    },
    now,
    retryAfterMs,
  );
}

export function settingsRead(
  state: CoreState,
  head: string,
  triggers: readonly EmergencyTrigger[],
): CoreState {
  const { settingsRetryAt: _retry, ...rest } = done(state);
  return { ...rest, settingsHead: head, settingsFailures: 0, triggers };
}

/** The previous triggers stay in force; the read is tried again after a backoff (or the host's wait). */
export function settingsFailed(
  state: CoreState,
  now: number,
  config: ProposerConfig,
  retryAfterMs?: number,
): CoreState {
  return quiet(
    {
      ...done(state),
      settingsFailures: state.settingsFailures + 1,
      settingsRetryAt: retryTime(state.settingsFailures, now, config, retryAfterMs),
    },
    now,
    retryAfterMs,
  );
}

/** A flush wrote (or found nothing to write) on top of main at `base`. */
export function syncSucceeded(state: CoreState, base: string): CoreState {
  const { syncRetryAt: _retry, ...rest } = done(state);
  return { ...rest, syncFailures: 0, mainHead: base };
}

/**
 * The flush's operations go back in front of the queue, and the next try waits out a backoff, or exactly
 * the host's `retry-after` when it named one (then nothing else is sent to it meanwhile either).
 */
export function syncFailed(
  state: CoreState,
  now: number,
  config: ProposerConfig,
  retryAfterMs?: number,
): CoreState {
  const operations = state.inFlight?.kind === "sync" ? state.inFlight.operations : [];
  return quiet(
    {
      ...done(state),
      pending: [...operations, ...state.pending],
      firstPendingAt: state.firstPendingAt ?? now,
      syncWanted: state.syncWanted === "forced" ? "forced" : "due",
      syncFailures: state.syncFailures + 1,
      syncRetryAt: retryTime(state.syncFailures, now, config, retryAfterMs),
    },
    now,
    retryAfterMs,
  );
}

/**
 * The commit landed but the step after it (the sync pull request) failed: nothing is lost, and a flush
 * with nothing new to commit runs that step again after a backoff, so the PR catches up without waiting
 * for the next change.
 */
export function afterSyncFailed(
  state: CoreState,
  base: string,
  now: number,
  config: ProposerConfig,
  retryAfterMs?: number,
): CoreState {
  const after = syncSucceeded(state, base);
  return quiet(
    {
      ...after,
      syncWanted: after.syncWanted === "no" ? "due" : after.syncWanted,
      syncFailures: state.syncFailures + 1,
      syncRetryAt: retryTime(state.syncFailures, now, config, retryAfterMs),
    },
    now,
    retryAfterMs,
  );
}

export type BatchResult =
  /** merged, unmerged, skipped, held for review: the batch needs no more work from the proposer. */
  | { readonly kind: "finished"; readonly mergeCommit?: string }
  /** The proof found a grant: left for review, and its cases are tried one by one if there were several. */
  | { readonly kind: "refused" };

export function emergencyFinished(state: CoreState, result: BatchResult, now: number): CoreState {
  const batch = state.inFlight?.kind === "emergency" ? state.inFlight.batch : [];
  const after = done(state);
  if (result.kind === "refused") {
    const again = batch.length > 1 ? batch.map((entry) => ({ ...entry, alone: true, readyAt: now })) : [];
    return { ...after, emergencies: [...again, ...after.emergencies] };
  }
  if (result.mergeCommit === undefined) return after;
  // Main moved under the sync branch: rebuild it so it never proposes what main already holds.
  return {
    ...after,
    mainHead: result.mergeCommit,
    syncWanted: after.syncWanted === "no" ? "due" : after.syncWanted,
  };
}

/**
 * Lost races, a conflict, an I/O error: every case of the batch is tried again after a backoff, or after
 * exactly the host's `retry-after` when it named one. Nothing is dropped.
 */
export function emergencyFailed(
  state: CoreState,
  now: number,
  config: ProposerConfig,
  retryAfterMs?: number,
): CoreState {
  const batch = state.inFlight?.kind === "emergency" ? state.inFlight.batch : [];
  const again = batch.map((entry) => ({
    ...entry,
    attempts: entry.attempts + 1,
    readyAt: retryTime(entry.attempts, now, config, retryAfterMs),
  }));
  const after = done(state);
  return quiet({ ...after, emergencies: [...again, ...after.emergencies] }, now, retryAfterMs);
}

/** What a look at main found: a head other than the one the sync branch sits on means a rebuild. */
export function mainChecked(state: CoreState, head: string | undefined): CoreState {
  const after = done(state);
  const moved = head !== undefined && state.mainHead !== undefined && head !== state.mainHead;
  return moved && after.syncWanted === "no" ? { ...after, syncWanted: "due" } : after;
}

export function mainCheckFailed(state: CoreState, now: number, retryAfterMs?: number): CoreState {
  return quiet(done(state), now, retryAfterMs);
}

function queued(emergency: EmergencyCase, now: number): QueuedEmergency {
  return { emergency, attempts: 0, readyAt: now, queuedAt: now, alone: false };
}

/** A host's `retry-after` holds every action, not only the one that was refused: the limit is the host's. */
function quiet(state: CoreState, now: number, retryAfterMs: number | undefined): CoreState {
  if (retryAfterMs === undefined) return state;
  return { ...state, quietUntil: Math.max(state.quietUntil ?? 0, now + retryAfterMs) };
}

function done(state: CoreState): CoreState {
  const { inFlight: _done, ...rest } = state;
  return rest;
}

/** When to try again after `failures` earlier failures: the host's `retry-after` when it named one, else the backoff. */
function retryTime(
  failures: number,
  now: number,
  config: ProposerConfig,
  retryAfterMs: number | undefined,
): number {
  if (retryAfterMs !== undefined) return now + retryAfterMs;
  const delays = config.retryDelaysMs;
  return now + (delays[Math.min(failures, delays.length - 1)] ?? 30_000);
}
