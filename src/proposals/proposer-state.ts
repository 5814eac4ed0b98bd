import type { EmergencyOutcome } from "./emergency.js";
import type { SyncResult } from "./sync-branch.js";

/** pino, console and the like all fit. Lines name SCIM ids and branches, never tokens. */
export interface ProposerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What `/healthz` and `/metrics` show about proposals; ids and names of people never appear here. */
export interface ProposerState {
  /** Ledger changes (and emergencies) not yet in a commit. */
  readonly pendingChanges: number;
  readonly flushes: number;
  readonly flushFailures: number;
  readonly syncCommits: number;
  readonly lastFlushAt?: string;
  readonly lastFlushMs?: number;
  /** Identity files the sync branch changes relative to main after the last flush. */
  readonly syncPendingFiles: number;
  readonly syncHead?: string;
  readonly mainHead?: string;
  readonly mainMoves: number;
  /** The last failure of a flush or an emergency, cleared by the next successful flush. */
  readonly lastError?: string;
  readonly emergencies: {
    /** Cases waiting for a proposal, the one being worked on included. */
    readonly queued: number;
    /** Of those, cases whose last attempt failed, waiting out a backoff. */
    readonly retrying: number;
    /** How long the oldest waiting case has waited; 0 when none waits. */
    readonly oldestQueuedMs: number;
    /** Emergency proposals by outcome (one proposal may carry many cases). */
    readonly merged: number;
    /** Cases those merges carried. */
    readonly mergedCases: number;
    /** Proven but above the mass-revocation guard: waiting for review. */
    readonly held: number;
    readonly unmerged: number;
    readonly refused: number;
    readonly skipped: number;
    /** Attempts that failed (each is retried). */
    readonly failed: number;
    readonly lastMs?: number;
    /** The last proposal held for review, and why, in counts. */
    readonly lastHeld?: { readonly reason: string; readonly at: string };
    /** `reason` says why, in words that name no person (counts, settings, files). */
    readonly last?: {
      readonly status: string;
      readonly reason: string;
      readonly at: string;
      readonly branch?: string;
    };
  };
}

type Counts = Record<EmergencyOutcome["status"] | "failed", number>;

/** Counters behind ProposerState, updated by the proposer's single worker. */
export class ProposerStats {
  #flushes = 0;
  #flushFailures = 0;
  #syncCommits = 0;
  #mainMoves = 0;
  #lastFlushAt: string | undefined;
  #lastFlushMs: number | undefined;
  #syncPendingFiles = 0;
  #syncHead: string | undefined;
  #lastError: string | undefined;
  #emergencyMs: number | undefined;
  #lastEmergency: { status: string; reason: string; at: string; branch?: string } | undefined;
  readonly #counts: Counts = { merged: 0, unmerged: 0, held: 0, refused: 0, skipped: 0, failed: 0 };
  #mergedCases = 0;
  #lastHeld: { reason: string; at: string } | undefined;

  flushed(result: SyncResult, at: Date, ms: number): void {
    this.#flushes++;
    if (result.committed) this.#syncCommits++;
    this.#lastFlushAt = at.toISOString();
    this.#lastFlushMs = Math.round(ms);
    this.#syncPendingFiles = result.pendingFiles;
    this.#syncHead = result.head;
    this.#lastError = undefined;
  }

  flushFailed(error: unknown): void {
    this.#flushFailures++;
    this.#lastError = `sync flush: ${messageOf(error)}`;
  }

  mainMoved(): void {
    this.#mainMoves++;
  }

  emergency(outcome: EmergencyOutcome, at: Date, ms: number): void {
    this.#counts[outcome.status]++;
    if (outcome.status === "merged") this.#mergedCases += outcome.cases;
    if (outcome.status === "held") this.#lastHeld = { reason: outcome.reason, at: at.toISOString() };
    this.#emergencyMs = Math.round(ms);
    this.#lastEmergency = {
      status: outcome.status,
      reason: outcome.reason,
      at: at.toISOString(),
      ...(outcome.branch === undefined ? {} : { branch: outcome.branch }),
    };
  }

  emergencyFailed(error: unknown, at: Date): void {
    this.#counts.failed++;
    this.#lastError = `emergency: ${messageOf(error)}`;
    this.#lastEmergency = { status: "failed", reason: this.#lastError, at: at.toISOString() };
  }

  snapshot(
    pending: number,
    queue: { readonly queued: number; readonly retrying: number; readonly oldestQueuedMs: number },
    mainHead: string | undefined,
  ): ProposerState {
    return {
      pendingChanges: pending,
      flushes: this.#flushes,
      flushFailures: this.#flushFailures,
      syncCommits: this.#syncCommits,
      ...(this.#lastFlushAt === undefined ? {} : { lastFlushAt: this.#lastFlushAt }),
      ...(this.#lastFlushMs === undefined ? {} : { lastFlushMs: this.#lastFlushMs }),
      syncPendingFiles: this.#syncPendingFiles,
      ...(this.#syncHead === undefined ? {} : { syncHead: this.#syncHead }),
      ...(mainHead === undefined ? {} : { mainHead }),
      mainMoves: this.#mainMoves,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      emergencies: {
        ...queue,
        ...this.#counts,
        mergedCases: this.#mergedCases,
        ...(this.#lastHeld === undefined ? {} : { lastHeld: this.#lastHeld }),
        ...(this.#emergencyMs === undefined ? {} : { lastMs: this.#emergencyMs }),
        ...(this.#lastEmergency === undefined ? {} : { last: this.#lastEmergency }),
      },
    };
  }
}

/** Error messages of git and the policy code name files and refs, never secrets. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
