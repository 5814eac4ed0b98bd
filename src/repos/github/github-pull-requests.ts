import { HeadMovedError, PolicyRepoError } from "../policy-repo.js";
import type { GitHubClient } from "./github-request.js";
import { bodyMessage, GitHubApiError, requestGitHub } from "./github-request.js";

export interface RepoName {
  readonly owner: string;
  readonly repo: string;
}

export interface PullRequestRef {
  readonly number: number;
  readonly url: string;
  readonly nodeId: string;
}

/** GitHub will not merge the PR now: a required check or review is missing, or a merge queue is required. */
export class PullRequestNotMergeableError extends PolicyRepoError {
  override name = "PullRequestNotMergeableError";
  constructor(
    readonly number: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `pull request #${number} is not mergeable (${reason}): see its checks and the branch rules; ` +
        `it merges once they pass`,
      options,
    );
  }
}

/** Opens a PR from `head` into `base`; an already open one for the same head is an error GitHub names. */
export async function openPullRequest(
  client: GitHubClient,
  name: RepoName,
  request: { readonly head: string; readonly base: string; readonly title: string; readonly body: string },
): Promise<PullRequestRef> {
  const response = await requestGitHub(client, "POST /repos/{owner}/{repo}/pulls", {
    ...name,
    ...request,
    request: { retries: 0 },
  });
  const data = response.data as { number: number; html_url: string; node_id: string };
  return { number: data.number, url: data.html_url, nodeId: data.node_id };
}

/**
 * Merges a PR with a merge commit, pinned to the head that was reviewed or proven (`sha`), so a push after
 * the proof is never merged (reference/github.md §4). Sent once: plugin-retry would otherwise repeat a
 * 405 or 409 for up to 41 s. Resolves to the merge commit.
 */
export async function mergePullRequest(
  client: GitHubClient,
  name: RepoName,
  request: {
    readonly number: number;
    readonly sha: string;
    readonly title: string;
    readonly message: string;
  },
): Promise<string> {
  const response = await requestGitHub(
    client,
    "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
    {
      ...name,
      pull_number: request.number,
      sha: request.sha,
      commit_title: request.title,
      commit_message: request.message,
      merge_method: "merge",
      request: { retries: 0 },
    },
    [405, 409],
  );
  if (response.status === 405) {
    throw new PullRequestNotMergeableError(request.number, bodyMessage(response.data));
  }
  if (response.status === 409) {
    const current = await requestGitHub(client, "GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...name,
      pull_number: request.number,
    });
    const head = (current.data as { head?: { sha?: string; ref?: string } }).head;
    throw new HeadMovedError(head?.ref ?? `pull request #${request.number}`, request.sha, head?.sha ?? null, {
      cause: new Error(bodyMessage(response.data)),
    });
  }
  const data = response.data as { merged?: boolean; sha?: string };
  if (data.merged !== true || data.sha === undefined) {
    throw new GitHubApiError(
      "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
      response.status,
      `GitHub did not merge pull request #${request.number}: look at the pull request and merge it by hand`,
    );
  }
  return data.sha;
}
