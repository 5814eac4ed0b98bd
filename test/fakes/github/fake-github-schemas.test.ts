import { describe, expect, it } from "vitest";
import { exampleOf, graphqlMismatch, responseMismatch } from "./fake-github-schemas.js";

const REF = "GET /repos/{owner}/{repo}/git/ref/{ref}" as const;
const sha = "a".repeat(40);
const ref = {
  ref: "refs/heads/main",
  node_id: "UmVmOnJlZnMvaGVhZHMvbWFpbg==",
  url: "http://127.0.0.1/repos/acme/policy/git/refs/heads/main",
  object: { type: "commit", sha, url: `http://127.0.0.1/repos/acme/policy/git/commits/${sha}` },
};

describe("the fake's answers are judged by GitHub's published schema", () => {
  it("accepts a conforming answer and GitHub's own example", () => {
    expect(responseMismatch(REF, 200, ref)).toBeUndefined();
    expect(responseMismatch(REF, 200, exampleOf(REF))).toBeUndefined();
    expect(responseMismatch(REF, 404, { message: "Not Found", documentation_url: "x" })).toBeUndefined();
  });

  it("names a short sha, a missing field, and a status the operation never answers", () => {
    expect(responseMismatch(REF, 200, { ...ref, object: { ...ref.object, sha: "abc123abc123" } })).toMatch(
      /object\/sha/,
    );
    const { node_id: _dropped, ...withoutNodeId } = ref;
    expect(responseMismatch(REF, 200, withoutNodeId)).toMatch(/node_id/);
    expect(responseMismatch(REF, 201, ref)).toMatch(/does not answer 201/);
    expect(
      responseMismatch("DELETE /repos/{owner}/{repo}/git/refs/{ref}", 204, { unexpected: true }),
    ).toMatch(/no body/);
  });

  it("checks GraphQL payloads field by field against GitHub's GraphQL types", () => {
    const armed = {
      pullRequest: {
        number: 1,
        autoMergeRequest: { enabledAt: "2026-12-02T18:00:00Z", mergeMethod: "MERGE" },
      },
    };
    expect(graphqlMismatch("enablePullRequestAutoMerge", armed)).toBeUndefined();
    expect(graphqlMismatch("enablePullRequestAutoMerge", { pullRequest: { number: "1" } })).toMatch(
      /number is not a valid Int/,
    );
    expect(
      graphqlMismatch("enablePullRequestAutoMerge", {
        pullRequest: { number: 1, autoMergeRequest: { mergeMethod: "FAST" } },
      }),
    ).toMatch(/FAST.*PullRequestMergeMethod/);
    expect(graphqlMismatch("disablePullRequestAutoMerge", { pullRequest: { autoMerge: null } })).toMatch(
      /autoMerge is not a field of PullRequest/,
    );
  });
});
