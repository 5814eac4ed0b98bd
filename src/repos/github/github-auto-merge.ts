import { AutoMergeNotAllowedError } from "../pull-request-host.js";
import type { GitHubGraphqlClient, GraphqlFailure } from "./github-request.js";
import { GitHubApiError, requestGraphql } from "./github-request.js";

const ENABLE = `mutation EnableAutoMerge($id: ID!, $head: GitObjectID!, $headline: String, $body: String) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: MERGE, expectedHeadOid: $head, commitHeadline: $headline, commitBody: $body}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

const DISABLE = `mutation DisableAutoMerge($id: ID!) {
  disablePullRequestAutoMerge(input: {pullRequestId: $id}) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`;

/** GitHub refuses to arm auto-merge on a PR that could merge now; that is a race to answer by merging. */
const ALREADY_MERGEABLE = /is in (clean|unstable|has_hooks) status/i;
const NOT_ALLOWED = /auto[- ]?merge is not allowed/i;
const HEAD_MOVED = /expected head (oid|sha)/i;

function failed(operation: string, number: number, errors: readonly GraphqlFailure[]): GitHubApiError {
  const text = errors.map((error) => error.message).join("; ");
  return new GitHubApiError(
    `graphql ${operation}`,
    200,
    `GitHub refused ${operation} on pull request #${number} (${text}): look at the pull request and its rules`,
  );
}

/**
 * Arms GitHub auto-merge with a merge commit, pinned with `expectedHeadOid` (reference/github.md §4).
 * "already-mergeable" means GitHub needs no auto-merge (no required check is pending): merge directly.
 */
export async function enableAutoMerge(
  client: GitHubGraphqlClient,
  request: { number: number; nodeId: string; sha: string; title: string; message: string },
): Promise<"armed" | "already-mergeable" | "head-moved"> {
  const answer = await requestGraphql(client, "enablePullRequestAutoMerge", ENABLE, {
    id: request.nodeId,
    head: request.sha,
    headline: request.title,
    body: request.message,
  });
  if ("data" in answer) return "armed";
  const messages = answer.errors.map((error) => error.message);
  if (messages.some((message) => ALREADY_MERGEABLE.test(message))) return "already-mergeable";
  if (messages.some((message) => HEAD_MOVED.test(message))) return "head-moved";
  const notAllowed = messages.find((message) => NOT_ALLOWED.test(message));
  if (notAllowed !== undefined) throw new AutoMergeNotAllowedError(request.number, notAllowed);
  throw failed("enablePullRequestAutoMerge", request.number, answer.errors);
}

export async function disableAutoMerge(
  client: GitHubGraphqlClient,
  number: number,
  nodeId: string,
): Promise<void> {
  const answer = await requestGraphql(client, "disablePullRequestAutoMerge", DISABLE, { id: nodeId });
  if ("errors" in answer) throw failed("disablePullRequestAutoMerge", number, answer.errors);
}
