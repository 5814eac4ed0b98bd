import { afterEach, describe, expect, it } from "vitest";
import type { EmergencyHost } from "../../../src/proposals/emergency-host.js";
import { EMERGENCY_LABEL, gitHubEmergencyHost } from "../../../src/proposals/github/github-emergency-host.js";
import type { Proposer } from "../../../src/proposals/proposer.js";
import { startProposer } from "../../../src/proposals/proposer.js";
import { HeadMovedError } from "../../../src/repos/policy-repo.js";
import type { FakePull } from "../../fakes/github/fake-github-state.js";
import { pushDirectly } from "../../repos/github/github-fixture.js";
import { patch } from "../ledger-writes.js";
import type { FixtureOptions } from "../policy-fixture.js";
import { ALICE_ID } from "../policy-fixture.js";
import type { GitHubProposals } from "./github-proposals-fixture.js";
import { openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let world: GitHubProposals;
let proposer: Proposer | undefined;

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

/** The proposer as the App runs it: a GitHubPolicyRepo and the GitHub emergency host, on the fake. */
async function startOnGitHub(options: FixtureOptions, rules?: (world: GitHubProposals) => void) {
  world = await openGitHubProposals(options);
  rules?.(world);
  const host = gitHubEmergencyHost({ repo: world.repo, pulls: world.pulls });
  proposer = startProposer({
    ledger: world.ledger,
    repo: world.repo,
    emergencyHost: host,
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    watchMainMs: 0,
    now: () => NOW,
  });
  await proposer.flush();
  world.fake.log.length = 0;
  return proposer;
}

const emergencyPulls = () =>
  [...world.fake.pulls.values()].filter((pull) => pull.head.startsWith("scim-gitops/emergency/"));

async function onlyEmergencyPull(): Promise<FakePull> {
  await expect.poll(() => emergencyPulls().length, { timeout: 10_000 }).toBe(1);
  const [pull] = emergencyPulls();
  if (pull === undefined) throw new Error("no emergency PR");
  return pull;
}

const mainHead = async () => (await world.repo.head("main")) ?? "";
const aliceOnMain = () => world.repo.readFile("main", ALICE_FILE);

describe("the GitHub emergency host, driven by the proposer", () => {
  it("direct: opens a labelled PR that says what is revoked, and merges it pinned to the proven head", async () => {
    const p = await startOnGitHub({ merge: "direct" });
    const before = await mainHead();
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.merged, { timeout: 10_000 }).toBe(1);

    const pull = await onlyEmergencyPull();
    expect(pull).toMatchObject({ state: "closed", labels: [EMERGENCY_LABEL], base: "main" });
    expect(pull.title).toBe("Revoke alice@example.com: deactivated in the identity provider");
    expect(pull.body).toContain("Emergency deprovisioning (deactivated) of alice@example.com");
    expect(pull.body).toContain("✅ Proven revocation-only: 1 person(s) lose");
    expect(pull.body).toContain("| **alice@example.com (Alice Example)");
    expect(pull.body).toContain("loses account PAYMENTS");
    const merge = await world.repo.readCommit(await mainHead());
    expect(merge.sha).toBe(pull.mergeCommit);
    expect(merge.parents[0]).toBe(before);
    const proven = await world.repo.readCommit(merge.parents[1] ?? "");
    expect(proven.parents).toEqual([before]);
    expect(merge.message).toMatch(/^Emergency deprovision: alice@example.com \(deactivated\)\n/);
    expect(merge.message).toMatch(/\nRevocation-Only: proven\nEmergency-Merge: direct\n?$/);
    expect(await aliceOnMain()).toContain("active: false");
    expect(await world.repo.head(pull.head)).toBeUndefined();
    const upToCleanup = world.fake.log.findIndex((entry) => entry.method === "DELETE") + 1;
    // Measured: 17 (11 reads, 5 content-creating writes, the merge, the branch deleted).
    expect(upToCleanup).toBeLessThanOrEqual(17);
    const writes = world.fake.log.filter((entry) => entry.method !== "GET");
    expect(writes.map((entry) => `${entry.method} ${entry.path.replace(/\/[0-9a-f]{40}$|\/\d+/, "/…")}`))
      .toMatchInlineSnapshot(`
        [
          "POST /repos/acme/policy/git/trees",
          "POST /repos/acme/policy/git/commits",
          "POST /repos/acme/policy/git/refs",
          "POST /repos/acme/policy/pulls",
          "POST /repos/acme/policy/issues/…/labels",
          "PUT /repos/acme/policy/pulls/…/merge",
          "DELETE /repos/acme/policy/git/refs/heads/scim-gitops/emergency/alice-example-com-20261129T021500Z",
        ]
      `);
  });

  it("auto with a required check: arms auto-merge, then GitHub carries it when the check turns green", async () => {
    const p = await startOnGitHub({ merge: "auto" }, ({ fake }) =>
      fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] }),
    );
    const before = await mainHead();
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.unmerged, { timeout: 10_000 }).toBe(1);
    const pull = await onlyEmergencyPull();
    expect(pull).toMatchObject({ state: "open", labels: [EMERGENCY_LABEL] });
    expect(pull.autoMerge).toMatchObject({ expectedHead: await world.repo.head(pull.head) });
    expect(await mainHead()).toBe(before);
    expect(p.state().emergencies.merged).toBe(0);

    const proven = (await world.repo.head(pull.head)) ?? "";
    await world.pulls.createCheckRun({
      name: "revocation-guard",
      headSha: proven,
      status: "completed",
      conclusion: "success",
      title: "Revocation only",
      summary: "",
    });
    expect(pull.state).toBe("closed");
    const merge = await world.repo.readCommit(await mainHead());
    expect(merge.parents).toEqual([before, proven]);
    expect(merge.message).toMatch(/\nEmergency-Merge: auto \(GitHub auto-merge\)\n?$/);
    expect(await aliceOnMain()).toContain("active: false");
  });

  it("auto on a PR GitHub already finds mergeable: merged directly, pinned, and says so", async () => {
    const p = await startOnGitHub({ merge: "auto" });
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.merged, { timeout: 10_000 }).toBe(1);
    const pull = await onlyEmergencyPull();
    expect(pull.state).toBe("closed");
    const merge = await world.repo.readCommit(await mainHead());
    expect(merge.sha).toBe(pull.mergeCommit);
    expect(merge.message).toMatch(/\nEmergency-Merge: auto \(already mergeable: merged directly\)\n?$/);
    const graphql = world.fake.log.filter((entry) => entry.path === "/graphql").map((entry) => entry.status);
    const merges = world.fake.log
      .filter((entry) => entry.path.endsWith("/merge"))
      .map((entry) => entry.status);
    expect({ graphql, merges }).toEqual({ graphql: [200], merges: [200] });
  });

  it("direct refused with 405 (a review is required): sent once, then auto-merge is armed and it waits", async () => {
    const p = await startOnGitHub({ merge: "direct" }, ({ fake }) =>
      fake.state.rules.set("main", { requiredChecks: [], requiredApprovals: 1 }),
    );
    const before = await mainHead();
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.unmerged, { timeout: 10_000 }).toBe(1);
    const pull = await onlyEmergencyPull();
    expect(pull.state).toBe("open");
    expect(pull.autoMerge).toBeDefined();
    expect(world.fake.log.filter((entry) => entry.path.endsWith("/merge")).map((e) => e.status)).toEqual([
      405,
    ]);
    expect(await mainHead()).toBe(before);
    expect(p.state().emergencies.failed).toBe(0);

    pull.approvals = 1;
    await world.fake.state.runAutoMerges();
    expect(pull.state).toBe("closed");
    expect(await aliceOnMain()).toContain("active: false");
  });

  it("direct refused with 405 where auto-merge is not allowed: the PR stays open, reported waiting", async () => {
    const p = await startOnGitHub({ merge: "direct" }, ({ fake }) => {
      fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
      fake.state.allowAutoMerge = false;
    });
    await patch(world.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => p.state().emergencies.unmerged, { timeout: 10_000 }).toBe(1);
    const pull = await onlyEmergencyPull();
    expect(pull).toMatchObject({ state: "open", labels: [EMERGENCY_LABEL] });
    expect(pull.autoMerge).toBeUndefined();
    expect(await world.repo.head(pull.head)).toBeDefined();
    expect(world.fake.log.filter((entry) => entry.path.endsWith("/merge")).map((e) => e.status)).toEqual([
      405,
    ]);
  });
});

describe("the GitHub emergency host's races", () => {
  async function openProposal(host: EmergencyHost) {
    const base = world.main;
    const proposal = await host.open({
      name: "alice-example-com-20261129T021500Z",
      base,
      changes: [{ path: ALICE_FILE, content: "active: false\n" }],
      message: "Revoke alice\n\nEmergency deprovisioning.\n\nEmergency-Merge: direct\n",
    });
    return { base, proposal };
  }

  it("409 (the head moved after the proof) is HeadMovedError, sent once; discard closes the PR", async () => {
    world = await openGitHubProposals();
    const host = gitHubEmergencyHost({ repo: world.repo, pulls: world.pulls });
    const { base, proposal } = await openProposal(host);
    const moved = await pushDirectly(
      world.fake,
      proposal.branch,
      "policies/access/extra.yaml",
      "roles: {}\n",
    );
    world.fake.log.length = 0;
    const merging = host.merge(proposal, { base, message: "Emergency\n\nmerge\n", mode: "direct" });
    await expect(merging).rejects.toBeInstanceOf(HeadMovedError);
    await expect(merging).rejects.toMatchObject({ expected: proposal.head, actual: moved });
    expect(world.fake.log.filter((entry) => entry.path.endsWith("/merge")).map((e) => e.status)).toEqual([
      409,
    ]);

    await host.discard(proposal);
    const [pull] = emergencyPulls();
    expect(pull?.state).toBe("closed");
    expect(pull?.mergeCommit).toBeUndefined();
    // The branch is deleted only at the head the bot wrote: someone else's push on it is not thrown away.
    expect(await world.repo.head(proposal.branch)).toBe(moved);
    expect(await mainHead()).toBe(base);
  });

  it("main moving after the proof is HeadMovedError before any merge is asked, so the proof is redone", async () => {
    world = await openGitHubProposals();
    const host = gitHubEmergencyHost({ repo: world.repo, pulls: world.pulls });
    const { base, proposal } = await openProposal(host);
    const main = await pushDirectly(world.fake, "main", "policies/access/extra.yaml", "roles: {}\n");
    world.fake.log.length = 0;
    await expect(
      host.merge(proposal, { base, message: "Emergency\n\nmerge\n", mode: "direct" }),
    ).rejects.toMatchObject({ name: "HeadMovedError", branch: "main", expected: base, actual: main });
    expect(world.fake.log.filter((entry) => entry.path.endsWith("/merge"))).toEqual([]);
  });
});
