import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { enableAutoMerge } from "../../../src/repos/github/github-auto-merge.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import type { PullRequest } from "../../../src/repos/pull-request-host.js";
import { AutoMergeNotAllowedError } from "../../../src/repos/pull-request-host.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, openGitHubFixture, pushDirectly, TOKEN } from "./github-fixture.js";

const BRANCH = "scim-gitops/emergency/bob";
let fake: FakeGitHub;
let repo: GitHubPolicyRepo;
let main: string;
let pulls: GitHubPullRequests;
let proven: string;
let pull: PullRequest;

beforeEach(async () => {
  ({ fake, repo, main } = await openGitHubFixture());
  pulls = new GitHubPullRequests(fakeClient(fake, { retry: true }), { owner: fake.owner, repo: fake.repo });
  fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
  proven = await repo.commitFiles({
    branch: BRANCH,
    parent: main,
    changes: [{ path: "policies/identities/users/bob.yaml", content: "active: false\n" }],
    message: "Revoke bob\n",
    update: { kind: "create" },
  });
  pull = await pulls.open({ head: BRANCH, base: "main", title: "Emergency deprovision: bob", body: "" });
  fake.log.length = 0;
});

afterEach(async () => {
  expect(fake.mismatches).toEqual([]);
  await fake.close();
});

const arm = () =>
  pulls.enableAutoMerge({
    number: pull.number,
    sha: proven,
    title: "Emergency deprovision: bob",
    message: "SCIM-Operation: PATCH User 7",
  });
const guard = (conclusion: "success" | "failure", sha = proven) =>
  pulls.createCheckRun({
    name: "revocation-guard",
    headSha: sha,
    status: "completed",
    conclusion,
    title: conclusion === "success" ? "Revocation only" : "Grants access",
    summary: "",
  });
const graphqlCalls = () => fake.log.filter((entry) => entry.path === "/graphql").length;

describe("GitHub auto-merge", () => {
  it("is carried by the required check turning green: GitHub merges the pinned head", async () => {
    expect(await arm()).toBe("armed");
    expect(await pulls.get(pull.number)).toMatchObject({ autoMerge: true, state: "open" });
    expect(await repo.head("main")).toBe(main);
    await guard("success");
    const merged = await pulls.get(pull.number);
    expect(merged).toMatchObject({ state: "closed", merged: true });
    const head = await repo.readCommit((await repo.head("main")) ?? "");
    expect(head.parents).toEqual([main, proven]);
    expect(head.message).toMatch(/^Emergency deprovision: bob\n\nSCIM-Operation: PATCH User 7\n?$/);
    expect(graphqlCalls()).toBe(1);
  });

  it("does not merge while the required check fails", async () => {
    await arm();
    await guard("failure");
    expect(await pulls.get(pull.number)).toMatchObject({ state: "open", autoMerge: true });
    expect(await repo.head("main")).toBe(main);
  });

  it("once disabled, a green check no longer merges it", async () => {
    await arm();
    await pulls.disableAutoMerge(pull.number);
    expect((await pulls.get(pull.number)).autoMerge).toBe(false);
    await guard("success");
    expect(await pulls.get(pull.number)).toMatchObject({ state: "open", merged: false });
    expect(await repo.head("main")).toBe(main);
    // Disabling what is not armed is a no-op, not a GraphQL error.
    await pulls.disableAutoMerge(pull.number);
    expect(graphqlCalls()).toBe(2);
  });

  it("answers already-mergeable when nothing is pending, so the caller merges directly", async () => {
    await guard("success");
    expect(await arm()).toBe("already-mergeable");
    expect((await pulls.get(pull.number)).autoMerge).toBe(false);
    await pulls.merge({ number: pull.number, sha: proven, title: "t", message: "m" });
    expect(await pulls.get(pull.number)).toMatchObject({ merged: true });
  });

  it("refuses to arm on a head that moved since the proof, naming both shas", async () => {
    const pushed = await pushDirectly(fake, BRANCH, "policies/grant.yaml", "grant\n");
    await expect(arm()).rejects.toMatchObject({ name: "HeadMovedError", expected: proven, actual: pushed });
    expect((await pulls.get(pull.number)).autoMerge).toBe(false);
  });

  it("never merges a push that lands after arming, even once the new head is green", async () => {
    await arm();
    const pushed = await pushDirectly(fake, BRANCH, "policies/grant.yaml", "grant\n");
    await guard("success", pushed);
    expect(await pulls.get(pull.number)).toMatchObject({ state: "open", merged: false });
    expect(await repo.head("main")).toBe(main);
  });

  it("says how to fix a repository that does not allow auto-merge, sent once", async () => {
    fake.state.allowAutoMerge = false;
    const refused = arm();
    await expect(refused).rejects.toBeInstanceOf(AutoMergeNotAllowedError);
    await expect(refused).rejects.toThrow(/Auto merge is not allowed for this repository.*Allow auto-merge/);
    expect(graphqlCalls()).toBe(1);
  });

  it("keeps the token out of a GraphQL failure even when the server echoes it back", async () => {
    fake.faults.echoAuthorization = true;
    const request = { number: pull.number, nodeId: pull.nodeId, sha: proven, title: "t", message: "m" };
    const failure = await enableAutoMerge(fakeClient(fake), request).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "GitHubApiError", status: 401 });
    expect(fake.log.map((entry) => `${entry.path} ${entry.status}`)).toEqual(["/graphql 401"]);
    const text = `${String(failure)} ${String((failure as Error).cause)} ${JSON.stringify(failure)}`;
    expect(text).not.toContain(TOKEN);
    expect(text).toContain("[redacted]");
  });
});
