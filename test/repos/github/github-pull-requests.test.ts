import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import {
  mergePullRequest,
  openPullRequest,
  PullRequestNotMergeableError,
} from "../../../src/repos/github/github-pull-requests.js";
import type { GitHubClient } from "../../../src/repos/github/github-request.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, openGitHubFixture, pushDirectly } from "./github-fixture.js";

let fake: FakeGitHub;
let repo: GitHubPolicyRepo;
let main: string;
let client: GitHubClient;
let name: { owner: string; repo: string };
let proven: string;

beforeEach(async () => {
  ({ fake, repo, main } = await openGitHubFixture());
  // Probot's default retry stays on: merges must still be sent exactly once.
  client = fakeClient(fake, { retry: true });
  name = { owner: fake.owner, repo: fake.repo };
  proven = await repo.commitFiles({
    branch: "scim-gitops/emergency/bob",
    parent: main,
    changes: [{ path: "policies/identities/users/bob.yaml", content: "active: false\n" }],
    message: "Revoke bob\n",
    update: { kind: "create" },
  });
});

afterEach(async () => {
  await fake.close();
});

const open = () =>
  openPullRequest(client, name, {
    head: "scim-gitops/emergency/bob",
    base: "main",
    title: "Emergency deprovision: bob",
    body: "revocation-only",
  });
const merges = () => fake.log.filter((entry) => entry.method === "PUT" && entry.path.endsWith("/merge"));

describe("pull requests", () => {
  it("opens one and merges the proven head with a merge commit", async () => {
    const pull = await open();
    expect(pull).toMatchObject({ number: 1, url: "https://github.com/acme/policy/pull/1" });
    const merge = await mergePullRequest(client, name, {
      number: pull.number,
      sha: proven,
      title: "Emergency deprovision: bob",
      message: "SCIM-Operation: PATCH User 7",
    });
    expect(await repo.head("main")).toBe(merge);
    const info = await repo.readCommit(merge);
    expect(info.parents).toEqual([main, proven]);
    expect(info.message).toContain("SCIM-Operation: PATCH User 7");
    expect(fake.pulls.get(1)?.state).toBe("closed");
  });

  it("refuses a second open pull request for the same branch", async () => {
    await open();
    await expect(open()).rejects.toMatchObject({ name: "GitHubApiError", status: 422 });
  });

  it("never merges a push made after the proof: 409 becomes HeadMovedError, sent once", async () => {
    const pull = await open();
    const pushed = await pushDirectly(fake, "scim-gitops/emergency/bob", "policies/grant.yaml", "grant\n");
    const refused = mergePullRequest(client, name, {
      number: pull.number,
      sha: proven,
      title: "t",
      message: "m",
    });
    await expect(refused).rejects.toMatchObject({
      name: "HeadMovedError",
      branch: "scim-gitops/emergency/bob",
      expected: proven,
      actual: pushed,
    });
    expect(await repo.head("main")).toBe(main);
    expect(merges().map((entry) => entry.status)).toEqual([409]);
  });

  it("reports GitHub's reason when the rules block the merge (405), sent once", async () => {
    const pull = await open();
    const stored = fake.pulls.get(pull.number);
    if (stored !== undefined) stored.blockedBy = 'Required status check "revocation-guard" is expected.';
    const refused = mergePullRequest(client, name, {
      number: pull.number,
      sha: proven,
      title: "t",
      message: "m",
    });
    await expect(refused).rejects.toBeInstanceOf(PullRequestNotMergeableError);
    await expect(refused).rejects.toThrow(/revocation-guard/);
    expect(merges().map((entry) => entry.status)).toEqual([405]);
    expect(await repo.head("main")).toBe(main);
  });
});
