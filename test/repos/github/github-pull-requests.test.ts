import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import {
  PullRequestNotFoundError,
  PullRequestNotMergeableError,
} from "../../../src/repos/pull-request-host.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, openGitHubFixture, pushDirectly } from "./github-fixture.js";

const BRANCH = "scim-gitops/emergency/bob";
let fake: FakeGitHub;
let repo: GitHubPolicyRepo;
let main: string;
let pulls: GitHubPullRequests;
let proven: string;

beforeEach(async () => {
  ({ fake, repo, main } = await openGitHubFixture());
  // Probot's default retry stays on: merges must still be sent exactly once.
  pulls = new GitHubPullRequests(fakeClient(fake, { retry: true }), { owner: fake.owner, repo: fake.repo });
  proven = await repo.commitFiles({
    branch: BRANCH,
    parent: main,
    changes: [{ path: "policies/identities/users/bob.yaml", content: "active: false\n" }],
    message: "Revoke bob\n",
    update: { kind: "create" },
  });
  fake.log.length = 0;
});

afterEach(async () => {
  expect(fake.mismatches).toEqual([]);
  await fake.close();
});

const open = (on: GitHubPullRequests = pulls) =>
  on.open({ head: BRANCH, base: "main", title: "Emergency deprovision: bob", body: "revocation-only" });
const sent = (method: string, suffix: string) =>
  fake.log
    .filter((entry) => entry.method === method && entry.path.endsWith(suffix))
    .map((entry) => entry.status);

describe("finding, opening and editing pull requests", () => {
  it("finds its open PR again after a restart, by head branch, in one request", async () => {
    const opened = await open();
    const restarted = new GitHubPullRequests(fakeClient(fake), { owner: fake.owner, repo: fake.repo });
    fake.log.length = 0;
    const found = await restarted.findOpen(BRANCH);
    expect(found).toMatchObject({
      number: opened.number,
      state: "open",
      head: { branch: BRANCH, sha: proven },
      base: { branch: "main" },
      title: "Emergency deprovision: bob",
    });
    expect(fake.log).toEqual([
      expect.objectContaining({ method: "GET", path: "/repos/acme/policy/pulls", status: 200 }),
    ]);
    expect(new URLSearchParams(fake.log[0]?.query).get("head")).toBe(`acme:${BRANCH}`);
    expect(await restarted.findOpen("scim-gitops/sync")).toBeUndefined();
  });

  it("never has two open PRs for one head: the second open is GitHub's 422, sent once", async () => {
    await open();
    await expect(open()).rejects.toMatchObject({ name: "GitHubApiError", status: 422 });
    expect(sent("POST", "/pulls")).toEqual([201, 422]);
    expect([...fake.pulls.values()].filter((pull) => pull.state === "open")).toHaveLength(1);
  });

  it("stops finding a PR once it is merged, so the next proposal opens a fresh one", async () => {
    const opened = await open();
    await pulls.merge({ number: opened.number, sha: proven, title: "t", message: "m" });
    expect(await pulls.findOpen(BRANCH)).toBeUndefined();
    expect(await pulls.get(opened.number)).toMatchObject({ state: "closed", merged: true });
  });

  it("updates the title and body, and labels it", async () => {
    const opened = await open();
    const updated = await pulls.update(opened.number, {
      title: "Emergency: bob and carol",
      body: "two people",
    });
    expect(updated).toMatchObject({ title: "Emergency: bob and carol", body: "two people" });
    await pulls.addLabels(opened.number, ["emergency-deprovision"]);
    await pulls.addLabels(opened.number, ["emergency-deprovision", "scim-gitops"]);
    expect(await pulls.labels(opened.number)).toEqual(["emergency-deprovision", "scim-gitops"]);
    expect((await pulls.get(opened.number)).labels).toEqual(["emergency-deprovision", "scim-gitops"]);
  });

  it("names a PR that does not exist", async () => {
    await expect(pulls.get(99)).rejects.toBeInstanceOf(PullRequestNotFoundError);
    await expect(pulls.labels(99)).rejects.toThrow(/#99 does not exist/);
  });
});

describe("merging pinned to the proven head", () => {
  it("merges the proven head with a merge commit", async () => {
    const opened = await open();
    const merge = await pulls.merge({
      number: opened.number,
      sha: proven,
      title: "Emergency deprovision: bob",
      message: "SCIM-Operation: PATCH User 7",
    });
    expect(await repo.head("main")).toBe(merge);
    const info = await repo.readCommit(merge);
    expect(info.parents).toEqual([main, proven]);
    expect(info.message).toContain("SCIM-Operation: PATCH User 7");
  });

  it("never merges a push made after the proof: 409 becomes HeadMovedError, sent once", async () => {
    const opened = await open();
    const pushed = await pushDirectly(fake, BRANCH, "policies/grant.yaml", "grant\n");
    await expect(
      pulls.merge({ number: opened.number, sha: proven, title: "t", message: "m" }),
    ).rejects.toMatchObject({
      name: "HeadMovedError",
      branch: BRANCH,
      expected: proven,
      actual: pushed,
    });
    expect(await repo.head("main")).toBe(main);
    expect(sent("PUT", "/merge")).toEqual([409]);
  });

  it("reports GitHub's reason when a required check is missing (405), sent once", async () => {
    fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
    const opened = await open();
    expect(await pulls.mergeability(opened.number)).toEqual({
      mergeable: false,
      state: "blocked",
      headSha: proven,
    });
    const refused = pulls.merge({ number: opened.number, sha: proven, title: "t", message: "m" });
    await expect(refused).rejects.toBeInstanceOf(PullRequestNotMergeableError);
    await expect(refused).rejects.toThrow(/Required status check "revocation-guard" is expected/);
    expect(sent("PUT", "/merge")).toEqual([405]);
    expect(await repo.head("main")).toBe(main);
  });

  it("reads mergeability as GitHub computes it: clean once the required check passed, unstable beside a failure", async () => {
    fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
    const opened = await open();
    await pulls.createCheckRun({
      name: "revocation-guard",
      headSha: proven,
      status: "completed",
      conclusion: "success",
      title: "Revocation only",
      summary: "bob loses everything",
    });
    expect(await pulls.mergeability(opened.number)).toMatchObject({ mergeable: true, state: "clean" });
    await pulls.createCheckRun({
      name: "plan",
      headSha: proven,
      status: "completed",
      conclusion: "failure",
      title: "Plan failed",
      summary: "x",
    });
    expect(await pulls.mergeability(opened.number)).toMatchObject({ mergeable: true, state: "unstable" });
    await pushDirectly(fake, "main", "policies/settings.yaml", "version: 2\n");
    await pushDirectly(fake, BRANCH, "policies/settings.yaml", "version: 3\n");
    expect(await pulls.mergeability(opened.number)).toMatchObject({ mergeable: false, state: "dirty" });
  });

  it("waits for a required approving review, then merges", async () => {
    fake.state.rules.set("main", { requiredChecks: [], requiredApprovals: 1 });
    const opened = await open();
    await expect(
      pulls.merge({ number: opened.number, sha: proven, title: "t", message: "m" }),
    ).rejects.toThrow(/At least 1 approving review is required/);
    const stored = fake.pulls.get(opened.number);
    if (stored !== undefined) stored.approvals = 1;
    expect(await pulls.mergeability(opened.number)).toMatchObject({ mergeable: true, state: "clean" });
    await pulls.merge({ number: opened.number, sha: proven, title: "t", message: "m" });
    expect(sent("PUT", "/merge")).toEqual([405, 200]);
  });
});
