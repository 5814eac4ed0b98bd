/**
 * GitHub mode's proposals side as the App composes it: `gitHubProposals` spread into startProposer, on a
 * paced client, against the fake with a ruleset that requires the App's `revocation-guard`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { gitHubProposals } from "../../../src/proposals/github/github-proposals.js";
import { EMERGENCY_LABEL } from "../../../src/proposals/github/github-emergency-host.js";
import { REVOCATION_GUARD_CHECK } from "../../../src/proposals/github/pull-request-checks.js";
import type { Proposer } from "../../../src/proposals/proposer.js";
import { startProposer } from "../../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../../src/proposals/sync-branch.js";
import { pacedClient } from "../../../src/repos/github/paced-client.js";
import { fakeClient } from "../../repos/github/github-fixture.js";
import { patch, put } from "../ledger-writes.js";
import { ALICE_ID, scimUser } from "../policy-fixture.js";
import type { GitHubProposals as World } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

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
  const github = gitHubProposals({
    client: pacedClient(fakeClient(world.fake, { retry: true })),
    owner: world.fake.owner,
    repo: world.fake.repo,
    baseBranch: "main",
    policyDir: "policies",
    now: () => NOW,
    warn: (line) => warnings.push(line),
  });
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
});
