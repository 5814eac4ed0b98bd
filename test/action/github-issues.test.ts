import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubIssues } from "../../src/action/github-issues.js";
import { GitHubRestError } from "../../src/action/github-rest.js";
import { describeError } from "../../src/cli/errors.js";
import { Secret } from "../../src/secret.js";
import { startFakeGitHubIssues, type FakeGitHubIssues } from "../fakes/github-issues/server.js";

const TOKEN = "ghs_rightToken0000000000000000";
let github: FakeGitHubIssues;
beforeEach(async () => {
  github = await startFakeGitHubIssues({ owner: "acme", repo: "policy", token: TOKEN });
  github.addPullRequest(3, "a change");
});
afterEach(() => github.close());

const client = (token: string) =>
  new GitHubIssues({ apiUrl: github.url, token: new Secret(token), repository: "acme/policy" });

describe("the action's GitHub issues client", () => {
  it("edits the comment carrying the marker and leaves other comments alone", async () => {
    const issues = client(TOKEN);
    await issues.upsertComment(3, "<!-- other -->", "<!-- other -->\nsomeone else's");
    const first = await issues.upsertComment(3, "<!-- mine -->", "<!-- mine -->\none");
    const second = await issues.upsertComment(3, "<!-- mine -->", "<!-- mine -->\ntwo");
    expect(second).toBe(first);
    expect(github.comments.map((comment) => comment.body)).toEqual([
      "<!-- other -->\nsomeone else's",
      "<!-- mine -->\ntwo",
    ]);
  });

  it("finds only an open issue with the label and the marker, never a pull request", async () => {
    const issues = client(TOKEN);
    expect(await issues.findOpenIssue("drift", "<!-- d -->")).toBeUndefined();
    const number = await issues.createIssue("Drift", "<!-- d -->\nplan", "drift");
    expect(await issues.findOpenIssue("drift", "<!-- d -->")).toMatchObject({ number });
    await issues.closeIssue(number, "gone");
    expect(await issues.findOpenIssue("drift", "<!-- d -->")).toBeUndefined();
    expect(github.issues.get(number)).toMatchObject({ state: "closed", stateReason: "completed" });
  });

  it("says what to fix when the token is refused, without showing it", async () => {
    const error = await client("ghs_wrongToken1111111111111111")
      .upsertComment(3, "<!-- mine -->", "x")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubRestError);
    expect(describeError(error)).toMatch(/HTTP 401.*check the action's github-token input/);
    expect(describeError(error)).not.toContain("ghs_wrongToken");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain("ghs_wrongToken");
  });
});
