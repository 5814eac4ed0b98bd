import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHECK_SUMMARY_LIMIT, fitCheckSummary } from "../../../src/repos/github/github-check-runs.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, openGitHubFixture } from "./github-fixture.js";

let fake: FakeGitHub;
let main: string;
let pulls: GitHubPullRequests;

beforeEach(async () => {
  ({ fake, main } = await openGitHubFixture());
  pulls = new GitHubPullRequests(fakeClient(fake), { owner: fake.owner, repo: fake.repo });
});

afterEach(async () => {
  expect(fake.mismatches).toEqual([]);
  await fake.close();
});

const report = { name: "revocation-guard", title: "Checking", summary: "working" } as const;

describe("check runs on a head sha", () => {
  it("creates one in progress, completes it, and lists the newest per name", async () => {
    const created = await pulls.createCheckRun({ ...report, headSha: main, status: "in_progress" });
    expect(created).toMatchObject({ name: "revocation-guard", headSha: main, status: "in_progress" });
    expect(created.conclusion).toBeUndefined();
    const done = await pulls.updateCheckRun(created.id, {
      ...report,
      headSha: main,
      status: "completed",
      conclusion: "failure",
      title: "Grants access",
      summary: "alice gains payments-writer",
    });
    expect(done).toMatchObject({ id: created.id, status: "completed", conclusion: "failure" });
    const rerun = await pulls.createCheckRun({
      ...report,
      headSha: main,
      status: "completed",
      conclusion: "success",
    });
    await pulls.createCheckRun({ ...report, name: "access-diff", headSha: main, status: "queued" });
    expect((await pulls.listCheckRuns(main, "revocation-guard")).map((run) => run.id)).toEqual([
      rerun.id,
      created.id,
    ]);
    expect(await pulls.listCheckRuns(main)).toHaveLength(3);
    expect(fake.state.checkRuns.find((run) => run.id === created.id)).toMatchObject({
      title: "Grants access",
      summary: "alice gains payments-writer",
    });
  });

  it("cuts a summary past GitHub's 65,535 characters and says so, where GitHub would refuse it whole", async () => {
    const huge = "- alice loses payments-writer on acme/payments\n".repeat(3_000);
    const raw = fakeClient(fake).request("POST /repos/{owner}/{repo}/check-runs", {
      owner: "acme",
      repo: "policy",
      name: "access-diff",
      head_sha: main,
      output: { title: "t", summary: huge },
    });
    await expect(raw).rejects.toMatchObject({ status: 422 });
    const run = await pulls.createCheckRun({
      name: "access-diff",
      headSha: main,
      status: "completed",
      conclusion: "neutral",
      title: "Access diff",
      summary: huge,
    });
    const stored = fake.state.checkRuns.find((candidate) => candidate.id === run.id)?.summary ?? "";
    expect(stored.length).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(stored.startsWith("- alice loses")).toBe(true);
    expect(stored).toMatch(/truncated to fit GitHub's 65,535-character limit/);
  });

  it("never cuts a summary inside a surrogate pair, and leaves short ones alone", () => {
    expect(fitCheckSummary("short")).toBe("short");
    const emoji = "🔒".repeat(40_000);
    const fitted = fitCheckSummary(emoji);
    expect(fitted.length).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(fitted.slice(0, fitted.indexOf("\n")).length % 2).toBe(0);
    expect(fitted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
