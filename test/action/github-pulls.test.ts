import { execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubPulls } from "../../src/action/github-pulls.js";
import { GitHubRestError } from "../../src/action/github-rest.js";
import { describeError } from "../../src/cli/errors.js";
import { Secret } from "../../src/secret.js";
import { startFakeGitHubIssues, type FakeGitHubIssues } from "../fakes/github-issues/server.js";
import { removeDir } from "../plan/cli-fixture.js";

const TOKEN = "ghs_pullsToken00000000000000000";
let repo: string;
let github: FakeGitHubIssues;

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "a",
      GIT_AUTHOR_EMAIL: "a@x",
      GIT_COMMITTER_NAME: "a",
      GIT_COMMITTER_EMAIL: "a@x",
    },
  }).trim();
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "scim-gitops-pulls-"));
  git("init", "--quiet", "--initial-branch=main");
  git("commit", "--quiet", "--allow-empty", "-m", "one");
  git("branch", "feature");
  git("checkout", "--quiet", "feature");
  git("commit", "--quiet", "--allow-empty", "-m", "two");
  github = await startFakeGitHubIssues({ owner: "acme", repo: "policy", token: TOKEN, repoDir: repo });
});
afterEach(async () => {
  await github.close();
  await removeDir(repo);
});

const pulls = () =>
  new GitHubPulls({ apiUrl: github.url, token: new Secret(TOKEN), repository: "acme/policy" });

describe("the action's pull-request client", () => {
  it("opens a pull request, finds it by head branch, labels and unlabels it, and closes it", async () => {
    const client = pulls();
    expect(await client.findOpenByHead("feature")).toBeUndefined();
    const opened = await client.create({ head: "feature", base: "main", title: "A change", body: "why" });
    expect(opened.headSha).toBe(git("rev-parse", "feature"));
    expect(await client.findOpenByHead("feature")).toMatchObject({ number: opened.number, labels: [] });
    expect(await client.findOpenByHead("main")).toBeUndefined();
    await client.addLabel(opened.number, "emergency-deprovision");
    await client.addLabel(opened.number, "emergency-deprovision");
    expect((await client.findOpenByHead("feature"))?.labels).toEqual(["emergency-deprovision"]);
    await client.removeLabel(opened.number, "emergency-deprovision");
    expect((await client.findOpenByHead("feature"))?.labels).toEqual([]);
    await client.update(opened.number, { title: "Renamed", body: "new" });
    expect(github.issues.get(opened.number)).toMatchObject({ title: "Renamed", body: "new" });
    await client.close(opened.number, "done");
    expect(await client.findOpenByHead("feature")).toBeUndefined();
    expect(github.issues.get(opened.number)?.state).toBe("closed");
    expect(github.comments.at(-1)).toMatchObject({ issueNumber: opened.number, body: "done" });
  });

  it("turns GitHub's refusals into errors that say what was attempted, never the token", async () => {
    const client = pulls();
    await client.create({ head: "feature", base: "main", title: "A change", body: "" });
    const twice = await client
      .create({ head: "feature", base: "main", title: "Again", body: "" })
      .catch((error: unknown) => error);
    expect(twice).toBeInstanceOf(GitHubRestError);
    expect(describeError(twice)).toMatch(
      /could not open a pull request from feature in acme\/policy \(HTTP 422\)/,
    );
    expect(describeError(twice)).toContain("A pull request already exists for acme:feature.");
    const missing = await client
      .create({ head: "gone", base: "main", title: "x", body: "" })
      .catch((error: unknown) => error);
    expect(describeError(missing)).toMatch(/HTTP 422/);
    const unlabelled = await client.removeLabel(1, "never-set").catch((error: unknown) => error);
    expect(describeError(unlabelled)).toMatch(
      /HTTP 404.*contents: write.*allow GitHub Actions to create pull requests/,
    );
    const refused = await new GitHubPulls({
      apiUrl: github.url,
      token: new Secret("ghs_wrong0000000000000000000000"),
      repository: "acme/policy",
    })
      .findOpenByHead("feature")
      .catch((error: unknown) => error);
    expect(describeError(refused)).toMatch(/HTTP 401.*check the action's github-token input/);
    expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused))).not.toContain("ghs_wrong");
  });
});
