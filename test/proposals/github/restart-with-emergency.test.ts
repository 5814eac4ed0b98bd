/**
 * A restart while an emergency PR is open (issue 12): the start-up look for missed deactivations must not
 * open a second PR for a case an open one holds, must finish an interrupted one (or close it when main
 * moved), and must see an auto-merge that merged while the App was down as main having moved. Runs the
 * App's composition against the fake, with a ruleset that requires CI's `plan` check, so auto-merge stays
 * armed until CI reports.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EMERGENCY_LABEL } from "../../../src/proposals/github/github-emergency-host.js";
import { REVOCATION_GUARD_CHECK } from "../../../src/proposals/github/pull-request-checks.js";
import type { EmergencyHost } from "../../../src/proposals/emergency-host.js";
import type { Proposer } from "../../../src/proposals/proposer.js";
import { startProposer } from "../../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../../src/proposals/sync-branch.js";
import type { FakePull } from "../../fakes/github/fake-github-state.js";
import { patch, put } from "../ledger-writes.js";
import { ALICE_ID, scimUser } from "../policy-fixture.js";
import type { GitHubProposals as World } from "./github-proposals-fixture.js";
import { composeOnFake, openGitHubProposals } from "./github-proposals-fixture.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const LATER = new Date("2026-11-29T02:45:00.000Z");
const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";

let world: World;
let proposer: Proposer | undefined;

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  expect(world.fake.mismatches).toEqual([]);
  await world.close();
});

function composed(now: Date) {
  return composeOnFake(world, { now });
}

/**
 * The App (re)started: a fresh composition and proposer on the same ledger, as after a restart. `host`
 * may change the composition's emergency host (a merge that never reaches GitHub).
 */
async function startApp(now: Date, host: (composed: EmergencyHost) => EmergencyHost = (same) => same) {
  const warnings: string[] = [];
  const github = composed(now);
  const emergencyHost = github.proposer.emergencyHost;
  if (emergencyHost === undefined) throw new Error("the composition has no emergency host");
  proposer = startProposer({
    ledger: world.ledger,
    ...github.proposer,
    emergencyHost: host(emergencyHost),
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    watchMainMs: 0,
    now: () => now,
    log: { info() {}, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) },
  });
  await proposer.flush();
  return { proposer, github, warnings };
}

async function stopApp(): Promise<void> {
  await proposer?.close();
  proposer = undefined;
}

const emergencyPulls = (): FakePull[] =>
  [...world.fake.pulls.values()].filter((pull) => pull.head.startsWith("scim-gitops/emergency/"));

async function ciReports(pull: FakePull): Promise<void> {
  await world.pulls.createCheckRun({
    name: "plan",
    headSha: await world.fake.state.headSha(pull),
    status: "completed",
    conclusion: "success",
    title: "Plan",
    summary: "1 revoke",
  });
}

/** Alice deactivated with merge `auto` and CI's `plan` required: her emergency PR waits, armed. */
async function aliceWaitingOnCi() {
  world = await openGitHubProposals({ merge: "auto" });
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK, "plan"] });
  const { proposer } = await startApp(NOW);
  await put(world.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol"));
  await patch(world.ledger, "User", ALICE_ID, { active: false });
  await expect.poll(() => proposer.state().emergencies.unmerged, { timeout: 10_000 }).toBe(1);
  await proposer.flush();
  const [pull] = emergencyPulls();
  expect(emergencyPulls()).toHaveLength(1);
  expect(pull).toMatchObject({ state: "open", labels: [EMERGENCY_LABEL] });
  expect(pull?.autoMerge).toBeDefined();
  if (pull === undefined) throw new Error("no emergency PR");
  return pull;
}

describe("a restart with an emergency PR open", () => {
  it("keeps a PR whose auto-merge is armed and opens no second one; GitHub then carries it", async () => {
    const waiting = await aliceWaitingOnCi();
    await stopApp();

    const { proposer, warnings } = await startApp(LATER);
    expect(emergencyPulls()).toHaveLength(1);
    expect(warnings.join("\n")).toContain("1 kept (auto-merge or a review finishes them)");
    expect(proposer.state().emergencies).toMatchObject({ queued: 0, merged: 0 });

    await ciReports(waiting);
    expect(waiting.state).toBe("closed");
    const main = await world.repo.head("main");
    expect(main).toBe(waiting.mergeCommit);
    // The push webhook arrives: the sync branch is rebuilt on the merged revocation.
    proposer.mainMayHaveMoved();
    await expect
      .poll(async () => (await world.repo.readCommit((await world.repo.head(SYNC_BRANCH)) ?? "")).parents, {
        timeout: 10_000,
      })
      .toEqual([main]);
    expect(emergencyPulls()).toHaveLength(1);
  });

  it("sees an auto-merge that merged while the App was down as main having moved", async () => {
    const waiting = await aliceWaitingOnCi();
    await stopApp();
    await ciReports(waiting);
    expect(waiting.state).toBe("closed");

    const { proposer } = await startApp(LATER);
    expect(emergencyPulls()).toHaveLength(1);
    expect(proposer.state().emergencies.queued).toBe(0);
    const sync = await world.repo.readCommit((await world.repo.head(SYNC_BRANCH)) ?? "");
    expect(sync.parents).toEqual([waiting.mergeCommit]);
    expect(proposer.state().mainHead).toBe(waiting.mergeCommit);
    const syncPulls = [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH);
    expect(syncPulls.map((pull) => [pull.state, pull.title])).toEqual([["open", "SCIM sync: +1 user"]]);
  });

  it("finishes an emergency PR it was merging when it stopped, when it would propose exactly that again", async () => {
    const interrupted = await aliceInterruptedBeforeMerge();

    const { proposer, warnings } = await startApp(LATER);
    await expect.poll(() => proposer.state().emergencies.merged, { timeout: 10_000 }).toBe(1);
    expect(warnings.join("\n")).toContain("1 interrupted (finished unless main moved), 0 half-made");
    expect(emergencyPulls()).toEqual([interrupted]);
    expect(interrupted).toMatchObject({ state: "closed", labels: [EMERGENCY_LABEL] });
    expect(await world.repo.head("main")).toBe(interrupted.mergeCommit);
  });

  it("closes an interrupted emergency PR once main has moved under it, and merges one made afresh", async () => {
    const interrupted = await aliceInterruptedBeforeMerge();
    // A person merges something else meanwhile: the interrupted PR's proof no longer describes main.
    const main = await world.repo.commitFiles({
      branch: "main",
      parent: world.main,
      changes: [{ path: "README.md", content: "Access policy for acme.\n" }],
      message: "Say what this repository is",
      update: { kind: "expect", head: world.main },
    });

    const { proposer, warnings } = await startApp(LATER);
    await expect.poll(() => proposer.state().emergencies.merged, { timeout: 10_000 }).toBe(1);
    expect(warnings.join("\n")).toContain("1 interrupted (finished unless main moved)");
    const [first, second] = emergencyPulls();
    expect(emergencyPulls()).toHaveLength(2);
    expect(first).toMatchObject({ number: interrupted.number, state: "closed" });
    expect(first?.mergeCommit).toBeUndefined();
    expect(await world.repo.head(interrupted.head)).toBeUndefined();
    expect(second).toMatchObject({ state: "closed", labels: [EMERGENCY_LABEL] });
    const merged = await world.repo.readCommit((await world.repo.head("main")) ?? "");
    expect(merged.sha).toBe(second?.mergeCommit);
    expect(merged.parents[0]).toBe(main);
  });
});

/**
 * Alice deactivated and her emergency PR opened, labelled and checked by the App's own path, which then
 * stops before merging it (its host's merge never reaches GitHub); the App is stopped.
 */
async function aliceInterruptedBeforeMerge(): Promise<FakePull> {
  world = await openGitHubProposals({ merge: "direct" });
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] });
  await startApp(NOW, (host) => ({
    ...host,
    merge: () => Promise.resolve({ waiting: "the App stopped before merging" }),
  }));
  await patch(world.ledger, "User", ALICE_ID, { active: false });
  await expect.poll(() => proposer?.state().emergencies.unmerged, { timeout: 10_000 }).toBe(1);
  await stopApp();
  const [pull] = emergencyPulls();
  expect(emergencyPulls()).toHaveLength(1);
  expect(pull).toMatchObject({ state: "open", labels: [EMERGENCY_LABEL] });
  expect(pull?.autoMerge).toBeUndefined();
  if (pull === undefined) throw new Error("no emergency PR");
  return pull;
}
