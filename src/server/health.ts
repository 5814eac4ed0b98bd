/**
 * `/healthz` (DESIGN §8): the ledger, the policy repository and the flush, as JSON without any identity.
 * 503 when the service cannot do its job: the ledger refuses writes, the repository cannot be read, the
 * last flush failed (acknowledged changes are safe in the ledger but are not reaching the repository), or
 * the server is shutting down.
 */
import type { LedgerHealth } from "../ledger/journal-ledger-contract.js";
import type { ProposerState } from "../proposals/proposer.js";
import type { ApplyOnMergeState } from "./apply-on-merge.js";

export interface RepositoryHealth {
  readonly ok: boolean;
  readonly location: string;
  readonly mainHead?: string;
  readonly error?: string;
}

export interface HealthInput {
  readonly ledger: LedgerHealth;
  readonly repository: RepositoryHealth;
  readonly proposer: ProposerState | undefined;
  /** Present with `--apply-on-merge`. A failed apply is reported, not a 503: SCIM and proposals still work. */
  readonly apply?: ApplyOnMergeState;
  readonly shuttingDown: boolean;
}

export interface HealthReport {
  readonly status: 200 | 503;
  readonly body: Record<string, unknown>;
}

export function buildHealthReport(input: HealthInput): HealthReport {
  const { ledger, repository, proposer } = input;
  const problems: string[] = [];
  if (!ledger.ok) problems.push("the identity ledger refuses writes");
  if (!repository.ok) problems.push("the policy repository cannot be read");
  if (proposer?.lastError !== undefined) problems.push("the last flush to the policy repository failed");
  if (input.shuttingDown) problems.push("shutting down");
  const status = problems.length === 0 ? 200 : 503;
  return {
    status,
    body: {
      status: status === 200 ? "ok" : "failing",
      ...(problems.length === 0 ? {} : { problems }),
      ledger: {
        ok: ledger.ok,
        ...(ledger.failure === undefined ? {} : { error: withoutIdentities(ledger.failure) }),
        lastSeq: ledger.lastSeq,
        users: ledger.users,
        groups: ledger.groups,
        pendingWrites: ledger.pendingWrites,
        journalBytes: ledger.journalBytes,
      },
      repository: {
        ...repository,
        ...(repository.error === undefined ? {} : { error: withoutIdentities(repository.error) }),
      },
      flush: proposer === undefined ? { running: false } : flushSection(proposer),
      ...(input.apply === undefined ? {} : { applyOnMerge: input.apply }),
    },
  };
}

function flushSection(state: ProposerState): Record<string, unknown> {
  return {
    pendingChanges: state.pendingChanges,
    flushes: state.flushes,
    flushFailures: state.flushFailures,
    syncCommits: state.syncCommits,
    ...(state.lastFlushAt === undefined ? {} : { lastFlushAt: state.lastFlushAt }),
    ...(state.lastFlushMs === undefined ? {} : { lastFlushMs: state.lastFlushMs }),
    ...(state.syncHead === undefined ? {} : { syncHead: state.syncHead }),
    ...(state.lastError === undefined ? {} : { lastError: withoutIdentities(state.lastError) }),
    emergencies: {
      queued: state.emergencies.queued,
      retrying: state.emergencies.retrying,
      oldestQueuedMs: state.emergencies.oldestQueuedMs,
      merged: state.emergencies.merged,
      mergedCases: state.emergencies.mergedCases,
      held: state.emergencies.held,
      unmerged: state.emergencies.unmerged,
      refused: state.emergencies.refused,
      skipped: state.emergencies.skipped,
      failed: state.emergencies.failed,
      ...(state.emergencies.last === undefined
        ? {}
        : { lastStatus: state.emergencies.last.status, lastAt: state.emergencies.last.at }),
      // Held for review is not a failure of the service: a person decides, so it is reported, not a 503.
      ...(state.emergencies.lastHeld === undefined
        ? {}
        : {
            lastHeld: {
              reason: withoutIdentities(state.emergencies.lastHeld.reason),
              at: state.emergencies.lastHeld.at,
            },
          }),
    },
  };
}

/**
 * Error texts name files and branches; identity files and emergency branches are named after people, and
 * an address may be quoted. Those parts are masked, the rest of the message stays useful.
 */
export function withoutIdentities(text: string): string {
  return text
    .replace(/identities\/(users|groups)\/[^\s:,'"`)]+/g, "identities/$1/…")
    .replace(/scim-gitops\/emergency\/[^\s:,'"`)]+/g, "scim-gitops/emergency/…")
    .replace(/[^\s@:,'"`(<]+@[^\s@:,'"`)>]+/g, "…@…");
}
