/**
 * The Octokit GitHub mode runs on (reference/github.md §1, §3): throttling really off, so a secondary limit
 * reaches the proposer's queue (which honours `retry-after`) instead of being retried inside one request,
 * and no blind retries of answers that mean something; a 5xx is still retried.
 */
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppOctokit } from "../../src/app/app-octokit.js";

const API = "https://api.github.com";
const client = () => new AppOctokit({ auth: { token: "ghs_unitToken0123456789abcdef" } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("AppOctokit", () => {
  it("sends a merge answered 405, 409 or 422 once", async () => {
    for (const status of [405, 409, 422]) {
      let attempts = 0;
      nock(API)
        .put("/repos/acme/policy/pulls/3/merge")
        .times(4)
        .reply(() => [++attempts === 1 ? status : 200, { message: `answer ${status}` }]);
      await expect(
        client().request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
          owner: "acme",
          repo: "policy",
          pull_number: 3,
        }),
      ).rejects.toMatchObject({ status });
      expect(attempts).toBe(1);
      nock.cleanAll();
    }
  });

  it("leaves a secondary rate limit (403 or 429 with retry-after) to the caller instead of waiting inside", async () => {
    for (const status of [403, 429]) {
      let attempts = 0;
      nock(API)
        .post("/repos/acme/policy/git/trees")
        .times(4)
        .reply(() =>
          ++attempts === 1
            ? [status, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "1" }]
            : [201, { sha: "b".repeat(40), tree: [] }],
        );
      await expect(
        client().request("POST /repos/{owner}/{repo}/git/trees", { owner: "acme", repo: "policy", tree: [] }),
      ).rejects.toMatchObject({ status });
      expect(attempts).toBe(1);
      nock.cleanAll();
    }
  });

  it("retries a 502, which a second attempt can fix", async () => {
    const scope = nock(API)
      .get("/repos/acme/policy/git/ref/heads%2Fmain")
      .reply(502, "Bad Gateway")
      .get("/repos/acme/policy/git/ref/heads%2Fmain")
      .reply(200, { ref: "refs/heads/main", object: { sha: "c".repeat(40) } });
    const response = await client().request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      owner: "acme",
      repo: "policy",
      ref: "heads/main",
    });
    expect(response.status).toBe(200);
    scope.done();
  });
});
