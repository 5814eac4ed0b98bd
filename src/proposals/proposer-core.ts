/**
 * The proposer's decisions as plain values (STYLE "Compute, then execute"): a state, pure transitions for
 * what happens (a ledger change, a flush or emergency batch finishing or failing, main moving), and
 * `decide`, which names the one action to run next or when to look again. Time is an argument, never read.
 */
import type { EmergencyTrigger } from "../policy/model/model.js";
import type { OperationRef } from "./commit-message.js";
import type { EmergencyCase } from "./emergency-trigger.js";
import { DEFAULT_TRIGGERS } from "./emergency-trigger.js";

export interface ProposerConfig {
  /** Quiet time after the last change before a flush. */
  readonly debounceMs: number;
  /** A steady stream of changes (an import) still flushes this often. */
  readonly maxWaitMs: number;
  /** This many pending changes flush at once, without waiting. */
  readonly maxBatch: number;
  /** How often to look for main moving under us; 0 turns it off. */
  readonly watchMainMs: number;
  /** Emergency cases in one proposal, so one proof stays fast. */
  readonly emergencyBatch: number;
  /** Waits after the 1st, 2nd, … failure of a flush, a settings read or an emergency; the last repeats. */
  readonly retryDelaysMs: readonly number[];
}

export const DEFAULT_CONFIG: ProposerConfig = {
  debounceMs: 300,
  maxWaitMs: 5_000,
  maxBatch: 5_000,
  watchMainMs: 2_000,
  emergencyBatch: 500,
  retryDelaysMs: [500, 2_000, 10_000, 30_000],
};

export interface QueuedEmergency {
  readonly emergency: EmergencyCase;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Not tried again before this time (ms). */
  readonly readyAt: number;
  readonly queuedAt: number;
  /** Runs in a proposal of its own: it was in a batch the proof refused, and may be the one that grants. */
  readonly alone: boolean;
}

export type Action =
  | { readonly kind: "recover" }
  | { readonly kind: "read-settings"; readonly head: string }
  | { readonly kind: "sync"; readonly operations: readonly OperationRef[] }
  | { readonly kind: "emergency"; readonly batch: readonly QueuedEmergency[] }
  | { readonly kind: "check-main" };

/** `wakeAt` undefined: nothing to do until something happens. */
export type Decision = Action | { readonly kind: "wait"; readonly wakeAt?: number };

export interface CoreState {
  readonly recoverWanted: boolean;
  /** Ledger changes not yet in a sync commit. */
  readonly pending: readonly OperationRef[];
  readonly firstPendingAt?: number;
  readonly lastChangeAt?: number;
  /** due: a flush is owed whatever the debounce (start, main moved); forced: also ignore backoff (flush()). */
  readonly syncWanted: "no" | "due" | "forced";
  readonly syncFailures: number;
  readonly syncRetryAt?: number;
  readonly emergencies: readonly QueuedEmergency[];
  readonly inFlight?: Action;
  /** Which kind of repository write ran last, so sync flushes and emergency batches take turns. */
  readonly lastTurn?: "sync" | "emergency";
  readonly mainHead?: string;
  /** The main head whose settings `triggers` came from. */
  readonly settingsHead?: string;
  readonly settingsFailures: number;
  readonly settingsRetryAt?: number;
  readonly triggers: readonly EmergencyTrigger[];
  readonly nextMainCheckAt?: number;
  /** The repository host asked not to be called before this (a rate limit's retry-after): nothing runs. */
  readonly quietUntil?: number;
  readonly recoverFailures: number;
  readonly recoverRetryAt?: number;
}

export function initialState(now: number, config: ProposerConfig): CoreState {
  return {
    recoverWanted: true,
    pending: [],
    syncWanted: "due",
    syncFailures: 0,
    emergencies: [],
    settingsFailures: 0,
    recoverFailures: 0,
    triggers: DEFAULT_TRIGGERS,
    ...(config.watchMainMs > 0 ? { nextMainCheckAt: now + config.watchMainMs } : {}),
  };
}

export function decide(state: CoreState, now: number, config: ProposerConfig): Decision {
  if (state.inFlight !== undefined) return { kind: "wait" };
  if (state.quietUntil !== undefined && now < state.quietUntil)
    return { kind: "wait", wakeAt: state.quietUntil };
  if (state.recoverWanted && (state.recoverRetryAt === undefined || state.recoverRetryAt <= now)) {
    return { kind: "recover" };
  }
  if (settingsReady(state, now)) return { kind: "read-settings", head: state.mainHead ?? "" };
  const ready = state.emergencies.filter((queued) => queued.readyAt <= now);
  const syncReady = isSyncDue(state, now, config);
  if (ready.length > 0 && (!syncReady || state.lastTurn !== "emergency")) {
    return { kind: "emergency", batch: batchOf(ready, config.emergencyBatch) };
  }
  if (syncReady) return { kind: "sync", operations: state.pending };
  if (state.nextMainCheckAt !== undefined && state.nextMainCheckAt <= now) return { kind: "check-main" };
  const wakeAt = earliest([
    syncWakeAt(state, config),
    ...state.emergencies.map((queued) => queued.readyAt),
    state.settingsRetryAt,
    state.nextMainCheckAt,
    state.recoverWanted ? state.recoverRetryAt : undefined,
  ]);
  return wakeAt === undefined ? { kind: "wait" } : { kind: "wait", wakeAt };
}

/** Whether `flush()` still has something to wait for: work in hand, or work that is due now. */
export function isSettled(state: CoreState, now: number, config: ProposerConfig): boolean {
  const next = decide(state, now, config);
  return state.inFlight === undefined && (next.kind === "wait" || next.kind === "check-main");
}

/** The worker is about to perform `action`: what it takes leaves the queues. */
export function begin(state: CoreState, action: Action, now: number, config: ProposerConfig): CoreState {
  const started = { ...state, inFlight: action };
  switch (action.kind) {
    case "recover":
      return { ...started, recoverWanted: false };
    case "read-settings":
      return started;
    case "sync":
      return withoutPendingClock({ ...started, pending: [], syncWanted: "no", lastTurn: "sync" });
    case "emergency": {
      const taken = new Set(action.batch);
      return {
        ...started,
        emergencies: state.emergencies.filter((queued) => !taken.has(queued)),
        lastTurn: "emergency",
      };
    }
    case "check-main": {
      if (config.watchMainMs > 0) return { ...started, nextMainCheckAt: now + config.watchMainMs };
      const { nextMainCheckAt: _asked, ...rest } = started;
      return rest;
    }
  }
}

/** Counts for `/healthz` and `/metrics`. */
export function emergencyQueueStats(state: CoreState, now: number) {
  const waiting = [
    ...state.emergencies,
    ...(state.inFlight?.kind === "emergency" ? state.inFlight.batch : []),
  ];
  const oldest = Math.min(...waiting.map((entry) => entry.queuedAt));
  return {
    queued: waiting.length,
    retrying: state.emergencies.filter((entry) => entry.attempts > 0).length,
    oldestQueuedMs: waiting.length === 0 ? 0 : Math.max(0, now - oldest),
  };
}

function isSyncDue(state: CoreState, now: number, config: ProposerConfig): boolean {
  if (state.syncWanted === "forced") return true;
  if (state.syncRetryAt !== undefined && now < state.syncRetryAt) return false;
  if (state.syncWanted === "due") return true;
  if (state.pending.length === 0) return false;
  if (state.pending.length >= config.maxBatch) return true;
  const wakeAt = syncWakeAt(state, config);
  return wakeAt !== undefined && wakeAt <= now;
}

function syncWakeAt(state: CoreState, config: ProposerConfig): number | undefined {
  if (state.syncWanted !== "no") return state.syncRetryAt;
  if (state.lastChangeAt === undefined || state.firstPendingAt === undefined) return undefined;
  const quiet = Math.min(state.lastChangeAt + config.debounceMs, state.firstPendingAt + config.maxWaitMs);
  return state.syncRetryAt === undefined ? quiet : Math.max(quiet, state.syncRetryAt);
}

function settingsReady(state: CoreState, now: number): boolean {
  if (state.mainHead === undefined || state.mainHead === state.settingsHead) return false;
  return state.settingsRetryAt === undefined || state.settingsRetryAt <= now;
}

/** A case refused inside a batch runs alone; the others fill a batch up to the cap, oldest first. */
function batchOf(ready: readonly QueuedEmergency[], cap: number): QueuedEmergency[] {
  const first = ready[0];
  if (first?.alone === true) return [first];
  return ready.filter((entry) => !entry.alone).slice(0, Math.max(1, cap));
}

function withoutPendingClock(state: CoreState): CoreState {
  const { firstPendingAt: _first, lastChangeAt: _last, ...rest } = state;
  return rest;
}

function earliest(times: readonly (number | undefined)[]): number | undefined {
  const defined = times.filter((time): time is number => time !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}
