import { describe, expect, it } from "vitest";
import type { LedgerHealth } from "../../src/ledger/journal-ledger-contract.js";
import type { ProposerState } from "../../src/proposals/proposer.js";
import { buildHealthReport, withoutIdentities } from "../../src/server/health.js";
import { ServiceMetrics } from "../../src/server/metrics.js";

const ledger: LedgerHealth = {
  ok: true,
  lastSeq: 42,
  users: 10,
  groups: 2,
  pendingWrites: 0,
  journalBytes: 1_000,
  fsyncs: 7,
  compactions: 0,
};

const proposer: ProposerState = {
  pendingChanges: 3,
  flushes: 5,
  flushFailures: 0,
  syncCommits: 4,
  lastFlushMs: 250,
  syncPendingFiles: 2,
  mainMoves: 1,
  emergencies: {
    queued: 2,
    retrying: 1,
    oldestQueuedMs: 1_500,
    merged: 1,
    mergedCases: 3,
    held: 0,
    unmerged: 0,
    refused: 0,
    skipped: 0,
    failed: 1,
  },
};

const repository = { ok: true, location: "/srv/policy-repo", mainHead: "abc123" };

describe("/healthz", () => {
  it("is 200 when ledger, repository and flush are fine", () => {
    const report = buildHealthReport({ ledger, repository, proposer, shuttingDown: false });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      status: "ok",
      ledger: { ok: true, users: 10 },
      flush: { pendingChanges: 3 },
    });
  });

  it("is 503, saying why, when the ledger refuses writes, the repository is unreadable or a flush failed", () => {
    const failing = buildHealthReport({
      ledger: { ...ledger, ok: false, failure: "ENOSPC writing journal" },
      repository: { ok: false, location: "/srv/policy-repo", error: "main does not exist" },
      proposer: {
        ...proposer,
        lastError: "sync flush: cannot write policies/identities/users/bob-example-com.yaml",
      },
      shuttingDown: false,
    });
    expect(failing.status).toBe(503);
    expect(failing.body.problems).toEqual([
      "the identity ledger refuses writes",
      "the policy repository cannot be read",
      "the last flush to the policy repository failed",
    ]);
    expect(JSON.stringify(failing.body)).not.toContain("bob");
  });

  it("shows waiting and retrying emergencies, and a batch held for review with its reason, still 200", () => {
    const reason =
      "held for review: 40 of 100 nats principals holding access would lose some or all of it, above the mass-revocation guard";
    const report = buildHealthReport({
      ledger,
      repository,
      proposer: {
        ...proposer,
        emergencies: {
          ...proposer.emergencies,
          held: 1,
          lastHeld: { reason, at: "2026-11-29T02:15:00.000Z" },
        },
      },
      shuttingDown: false,
    });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      flush: {
        emergencies: { queued: 2, retrying: 1, oldestQueuedMs: 1_500, held: 1, lastHeld: { reason } },
      },
    });
  });

  it("is 503 while shutting down", () => {
    expect(buildHealthReport({ ledger, repository, proposer, shuttingDown: true }).status).toBe(503);
  });
});

describe("/metrics", () => {
  it("renders requests by method and status, latency, flush and emergency figures in Prometheus text", () => {
    const metrics = new ServiceMetrics();
    metrics.recordRequest("POST", 201, 0.004);
    metrics.recordRequest("POST", 201, 0.03);
    metrics.recordRequest("GET", 429, 0.0005);
    const text = metrics.render(ledger, proposer, { runs: 2, failures: 1 });
    expect(text).toContain('scim_gitops_scim_requests_total{method="POST",status="201"} 2');
    expect(text).toContain('scim_gitops_scim_requests_total{method="GET",status="429"} 1');
    expect(text).toContain('scim_gitops_scim_request_duration_seconds_bucket{le="0.005"} 2');
    expect(text).toContain('scim_gitops_scim_request_duration_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain("scim_gitops_pending_changes 3");
    expect(text).toContain("scim_gitops_last_flush_duration_seconds 0.25");
    expect(text).toContain('scim_gitops_emergency_merges_total{outcome="merged"} 1');
    expect(text).toContain("scim_gitops_emergency_merge_failures_total 1");
    expect(text).toContain("scim_gitops_emergency_cases_merged_total 3");
    expect(text).toContain("scim_gitops_emergencies_queued 2");
    expect(text).toContain("scim_gitops_emergencies_retrying 1");
    expect(text).toContain("scim_gitops_emergency_oldest_queued_seconds 1.5");
    expect(text).toContain("scim_gitops_apply_failures_total 1");
    for (const line of text.split("\n").filter((entry) => entry !== "" && !entry.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+$/);
    }
  });
});

describe("health texts", () => {
  it("masks identity file names, emergency branches and addresses in error messages", () => {
    expect(
      withoutIdentities(
        "cannot write policies/identities/users/alice-example-com.yaml on scim-gitops/emergency/alice-20261129T0100Z for alice@example.com",
      ),
    ).toBe("cannot write policies/identities/users/… on scim-gitops/emergency/… for …@…");
  });
});
