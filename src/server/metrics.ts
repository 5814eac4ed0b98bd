/**
 * Prometheus text exposition for `/metrics` (DESIGN §8): SCIM requests by status, flush latency, pending
 * changes, emergency merges and their failures, and the ledger's own figures. Counts only: no label ever
 * holds an identity.
 */
import type { LedgerHealth } from "../ledger/journal-ledger-contract.js";
import type { ProposerState } from "../proposals/proposer.js";
import type { ApplyOnMergeState } from "./apply-on-merge.js";

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServiceMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  #latencyCount = 0;
  #latencySum = 0;

  /** One answered SCIM request: method, status class kept exact (IdPs care about 409 vs 429). */
  recordRequest(method: string, status: number, seconds: number): void {
    const key = `method="${method.replace(/[^A-Z]/g, "")}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const bucket = LATENCY_BUCKETS_S.findIndex((bound) => seconds <= bound);
    if (bucket !== -1) this.#latency[bucket]!++;
    this.#latencyCount++;
    this.#latencySum += seconds;
  }

  render(ledger: LedgerHealth, proposer: ProposerState | undefined, apply?: ApplyOnMergeState): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples)
        out.push(`${name}${labels === "" ? "" : `{${labels}}`} ${value}`);
    };
    metric(
      "scim_gitops_scim_requests_total",
      "counter",
      "SCIM requests answered, by method and HTTP status.",
      [...this.#requests.entries()].sort(([a], [b]) => a.localeCompare(b)),
    );
    const histogram = "scim_gitops_scim_request_duration_seconds";
    out.push(`# HELP ${histogram} Time to answer a SCIM request.`, `# TYPE ${histogram} histogram`);
    let cumulative = 0;
    LATENCY_BUCKETS_S.forEach((bound, index) => {
      cumulative += this.#latency[index]!;
      out.push(`${histogram}_bucket{le="${bound}"} ${cumulative}`);
    });
    out.push(
      `${histogram}_bucket{le="+Inf"} ${this.#latencyCount}`,
      `${histogram}_sum ${this.#latencySum}`,
      `${histogram}_count ${this.#latencyCount}`,
    );
    metric("scim_gitops_ledger_ok", "gauge", "1 while the identity ledger takes writes.", [
      ["", ledger.ok ? 1 : 0],
    ]);
    metric("scim_gitops_ledger_resources", "gauge", "Resources in the identity ledger.", [
      ['type="User"', ledger.users],
      ['type="Group"', ledger.groups],
    ]);
    metric("scim_gitops_ledger_last_seq", "gauge", "Sequence number of the last durable change.", [
      ["", ledger.lastSeq],
    ]);
    metric("scim_gitops_ledger_fsyncs_total", "counter", "Journal fsyncs (one per group commit).", [
      ["", ledger.fsyncs],
    ]);
    metric("scim_gitops_ledger_journal_bytes", "gauge", "Size of the journal since the last compaction.", [
      ["", ledger.journalBytes],
    ]);
    if (proposer !== undefined) renderProposer(proposer, metric);
    if (apply !== undefined) {
      metric("scim_gitops_applies_total", "counter", "Applies of main run by --apply-on-merge.", [
        ["", apply.runs],
      ]);
      metric("scim_gitops_apply_failures_total", "counter", "Those that did not apply cleanly.", [
        ["", apply.failures],
      ]);
    }
    return `${out.join("\n")}\n`;
  }
}

type Emit = (name: string, type: string, help: string, samples: [string, number][]) => void;

function renderProposer(state: ProposerState, metric: Emit): void {
  metric("scim_gitops_pending_changes", "gauge", "Ledger changes and emergencies not yet in a commit.", [
    ["", state.pendingChanges],
  ]);
  metric("scim_gitops_flushes_total", "counter", "Sync-branch flushes attempted successfully.", [
    ["", state.flushes],
  ]);
  metric("scim_gitops_flush_failures_total", "counter", "Sync-branch flushes that failed (retried).", [
    ["", state.flushFailures],
  ]);
  metric("scim_gitops_last_flush_duration_seconds", "gauge", "Duration of the last sync-branch flush.", [
    ["", (state.lastFlushMs ?? 0) / 1000],
  ]);
  metric("scim_gitops_sync_commits_total", "counter", "Commits written to the sync branch.", [
    ["", state.syncCommits],
  ]);
  const { emergencies } = state;
  metric("scim_gitops_emergency_merges_total", "counter", "Emergency revocations, by outcome.", [
    ['outcome="merged"', emergencies.merged],
    ['outcome="unmerged"', emergencies.unmerged],
    ['outcome="held"', emergencies.held],
    ['outcome="refused"', emergencies.refused],
    ['outcome="skipped"', emergencies.skipped],
  ]);
  metric("scim_gitops_emergency_merge_failures_total", "counter", "Emergency revocations that failed.", [
    ["", emergencies.failed],
  ]);
  metric("scim_gitops_emergency_cases_merged_total", "counter", "Revocations those merges carried.", [
    ["", emergencies.mergedCases],
  ]);
  metric("scim_gitops_emergencies_queued", "gauge", "Emergency revocations waiting.", [
    ["", emergencies.queued],
  ]);
  metric("scim_gitops_emergencies_retrying", "gauge", "Waiting ones whose last attempt failed.", [
    ["", emergencies.retrying],
  ]);
  metric(
    "scim_gitops_emergency_oldest_queued_seconds",
    "gauge",
    "How long the oldest waiting emergency revocation has waited.",
    [["", emergencies.oldestQueuedMs / 1000]],
  );
}
