/**
 * GitHub mode's proposals side as the App composes it: `gitHubProposals` spread into startProposer, on a
 * paced client, against the fake with a ruleset that requires the App's `revocation-guard`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { GITHUB_DEBOUNCE_MS, GITHUB_MAX_WAIT_MS } from "../../../src/proposals/github/github-proposals.js";
import { EMERGENCY_LABEL } from "../../../src/proposals/github/github-emergency-host.js";
import { REVOCATION_GUARD_CHECK } from "../../../src/proposals/github/pull-request-checks.js";
import type { Proposer } from "../../../src/proposals/proposer.js";
import { startProposer } from "../../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../../src/proposals/sync-branch.js";
import { patch, put } from "../ledger-writes.js";
import { ALICE_ID, scimUser } from "../policy-fixture.js";
import type { GitHubProposals as World } from "./github-proposals-fixture.js";
import { composeOnFake, openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";

let world: World;
let proposer: Proposer | undefined;

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

async function startComposed(merge: "direct" | "auto") {
  world = await openGitHubProposals({ merge });
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] });
  const warnings: string[] = [];
  const github = composeOnFake(world, { now: NOW, warn: (line) => warnings.push(line) });
  proposer = startProposer({
    ledger: world.ledger,
    ...github.proposer,
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    watchMainMs: 0,
    now: () => NOW,
    log: { info() {}, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) },
  });
  await proposer.flush();
  return { proposer, github, warnings };
}

describe("gitHubProposals", () => {
  it("keeps one sync PR, and merges an emergency at once because its checks are posted as it opens", async () => {
    const { proposer, warnings } = await startComposed("direct");
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await proposer.flush();
    const sync = [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH);
    expect(sync.map((pull) => [pull.state, pull.title])).toEqual([["open", "SCIM sync: +1 user"]]);

    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => proposer.state().emergencies.merged, { timeout: 10_000 }).toBe(1);
    const emergency = [...world.fake.pulls.values()].find((pull) => pull.labels.includes(EMERGENCY_LABEL));
    expect(emergency).toMatchObject({ state: "closed", autoMerge: undefined });
    expect(await world.repo.head("main")).toBe(emergency?.mergeCommit);
    const guard = world.fake.state.checkRuns.find((run) => run.name === REVOCATION_GUARD_CHECK);
    expect(guard).toMatchObject({ conclusion: "success" });
    // Merged directly, never through a 405 and an armed auto-merge.
    expect(world.fake.log.filter((entry) => entry.status === 405)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("gives a PR's checks through `checks`, as the App's webhook handler asks for them", async () => {
    const { github } = await startComposed("direct");
    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    await proposer?.flush();
    const pull = await github.pulls.findOpen(SYNC_BRANCH);
    if (pull === undefined) throw new Error("no sync PR");
    expect(await github.checks.check(pull.number)).toEqual({
      guard: "success",
      headSha: pull.head.sha,
      posted: true,
    });
  });

  it("gives startProposer GitHub mode's batching by the spread: a write waits for quiet, not 300 ms", async () => {
    world = await openGitHubProposals();
    const github = composeOnFake(world, { now: NOW });
    expect(github.proposer).toMatchObject({ debounceMs: GITHUB_DEBOUNCE_MS, maxWaitMs: GITHUB_MAX_WAIT_MS });
    expect(GITHUB_DEBOUNCE_MS).toBeGreaterThanOrEqual(5_000);
    proposer = startProposer({ ledger: world.ledger, ...github.proposer, watchMainMs: 0, now: () => NOW });
    await proposer.flush();
    const flushes = proposer.state().flushes;
    world.fake.log.length = 0;

    await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
    // startProposer's own debounce (300 ms) would have flushed by now; GitHub mode's has not.
    await sleep(1_500);
    expect(proposer.state()).toMatchObject({ flushes, pendingChanges: 1 });
    expect(world.fake.log).toEqual([]);

    // Nothing waits on shutdown: close flushes what is pending.
    await proposer.close();
    proposer = undefined;
    const sync = [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH);
    expect(sync.map((pull) => [pull.state, pull.title])).toEqual([["open", "SCIM sync: +1 user"]]);
  });
});
