import type {
  AutoMergeOutcome,
  CheckRun,
  CheckRunReport,
  Mergeability,
  OpenPullRequest,
  PinnedMerge,
  PullRequest,
  PullRequestHost,
} from "../pull-request-host.js";
import { PullRequestNotFoundError, PullRequestNotMergeableError } from "../pull-request-host.js";
import { HeadMovedError } from "../policy-repo.js";
import { disableAutoMerge, enableAutoMerge } from "./github-auto-merge.js";
import { createCheckRun, listCheckRuns, updateCheckRun } from "./github-check-runs.js";
import type { GitHubGraphqlClient, GitHubResponse } from "./github-request.js";
import { bodyMessage, GitHubApiError, requestGitHub } from "./github-request.js";

export interface RepoName {
  readonly owner: string;
  readonly repo: string;
}

interface PullData {
  readonly number: number;
  readonly node_id: string;
  readonly html_url: string;
  readonly state: "open" | "closed";
  readonly merged?: boolean;
  readonly merged_at?: string | null;
  readonly title: string;
  readonly body: string | null;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
  readonly labels?: readonly { readonly name: string }[];
  readonly auto_merge?: unknown;
  readonly mergeable?: boolean | null;
  readonly mergeable_state?: string;
}

function toPullRequest(data: PullData): PullRequest {
  return {
    number: data.number,
    nodeId: data.node_id,
    url: data.html_url,
    state: data.state,
    merged: data.merged === true || (data.merged_at ?? null) !== null,
    title: data.title,
    body: data.body ?? "",
    head: { branch: data.head.ref, sha: data.head.sha },
    base: { branch: data.base.ref },
    labels: (data.labels ?? []).map((label) => label.name),
    autoMerge: (data.auto_merge ?? null) !== null,
  };
}

/**
 * Pull requests, labels, merges, auto-merge and check runs of the policy repository on GitHub
 * (reference/github.md §4). Merges and auto-merge are sent once (`retries: 0`): plugin-retry would repeat a
 * 405 or 409 for up to 41 s, and neither gets better by asking again.
 */
export class GitHubPullRequests implements PullRequestHost {
  constructor(
    private readonly client: GitHubGraphqlClient,
    private readonly name: RepoName,
  ) {}

  async findOpen(head: string): Promise<PullRequest | undefined> {
    const response = await this.send("GET /repos/{owner}/{repo}/pulls", {
      head: `${this.name.owner}:${head}`,
      state: "open",
      per_page: 10,
    });
    const [first] = response.data as readonly PullData[];
    return first === undefined ? undefined : toPullRequest(first);
  }

  async listOpen(base: string, headPrefix: string): Promise<PullRequest[]> {
    const found: PullRequest[] = [];
    for (let page = 1; ; page++) {
      const response = await this.send("GET /repos/{owner}/{repo}/pulls", {
        state: "open",
        base,
        sort: "created",
        direction: "asc",
        per_page: 100,
        page,
      });
      const pulls = response.data as readonly PullData[];
      found.push(...pulls.map(toPullRequest).filter((pull) => pull.head.branch.startsWith(headPrefix)));
      if (pulls.length < 100) return found;
    }
  }

  async get(number: number): Promise<PullRequest> {
    return toPullRequest(await this.read(number));
  }

  /** An already open PR for the same head is a GitHubApiError (422): look for it with `findOpen` first. */
  async open(request: OpenPullRequest): Promise<PullRequest> {
    const response = await this.send("POST /repos/{owner}/{repo}/pulls", {
      ...request,
      request: { retries: 0 },
    });
    return toPullRequest(response.data as PullData);
  }

  async update(
    number: number,
    change: { readonly title?: string; readonly body?: string },
  ): Promise<PullRequest> {
    const response = await this.send(
      "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
      { pull_number: number, ...change },
      [404],
    );
    if (response.status === 404) throw new PullRequestNotFoundError(number);
    return toPullRequest(response.data as PullData);
  }

  async close(number: number): Promise<void> {
    const response = await this.send(
      "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
      { pull_number: number, state: "closed" },
      [404],
    );
    if (response.status === 404) throw new PullRequestNotFoundError(number);
  }

  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return;
    const response = await this.send(
      "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
      { issue_number: number, labels },
      [404],
    );
    if (response.status === 404) throw new PullRequestNotFoundError(number);
  }

  async labels(number: number): Promise<string[]> {
    const response = await this.send(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/labels",
      { issue_number: number, per_page: 100 },
      [404],
    );
    if (response.status === 404) throw new PullRequestNotFoundError(number);
    return (response.data as readonly { name: string }[]).map((label) => label.name);
  }

  /** Merge commit, pinned to the proven head so a push after the proof is never merged. */
  async merge(request: PinnedMerge): Promise<string> {
    const route = "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge";
    const response = await this.send(
      route,
      {
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
    if (response.status === 409) throw await this.headMoved(request, bodyMessage(response.data));
    const data = response.data as { merged?: boolean; sha?: string };
    if (data.merged !== true || data.sha === undefined) {
      throw new GitHubApiError(
        route,
        response.status,
        `GitHub did not merge pull request #${request.number}: look at the pull request and merge it by hand`,
      );
    }
    return data.sha;
  }

  async enableAutoMerge(request: PinnedMerge): Promise<AutoMergeOutcome> {
    const pull = await this.get(request.number);
    const outcome = await enableAutoMerge(this.client, { ...request, nodeId: pull.nodeId });
    if (outcome === "head-moved") throw await this.headMoved(request, "the expected head oid did not match");
    return outcome;
  }

  async disableAutoMerge(number: number): Promise<void> {
    const pull = await this.get(number);
    if (!pull.autoMerge) return;
    await disableAutoMerge(this.client, number, pull.nodeId);
  }

  /** GitHub computes mergeability in the background: `mergeable` is undefined until it has. */
  async mergeability(number: number): Promise<Mergeability> {
    const data = await this.read(number);
    return {
      mergeable: data.mergeable ?? undefined,
      state: data.mergeable_state ?? "unknown",
      headSha: data.head.sha,
    };
  }

  createCheckRun(report: CheckRunReport): Promise<CheckRun> {
    return createCheckRun(this.client, this.name, report);
  }

  updateCheckRun(id: number, report: CheckRunReport): Promise<CheckRun> {
    return updateCheckRun(this.client, this.name, id, report);
  }

  listCheckRuns(sha: string, name?: string): Promise<CheckRun[]> {
    return listCheckRuns(this.client, this.name, sha, name);
  }

  private async read(number: number): Promise<PullData> {
    const response = await this.send(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
      { pull_number: number },
      [404],
    );
    if (response.status === 404) throw new PullRequestNotFoundError(number);
    return response.data as PullData;
  }

  /** Reads where the head went, so the error names both shas. */
  private async headMoved(request: PinnedMerge, reason: string): Promise<HeadMovedError> {
    const data = await this.read(request.number);
    return new HeadMovedError(data.head.ref, request.sha, data.head.sha, { cause: new Error(reason) });
  }

  private send(
    route: string,
    parameters: Record<string, unknown>,
    handled: readonly number[] = [],
  ): Promise<GitHubResponse> {
    return requestGitHub(this.client, route, { ...this.name, ...parameters }, handled);
  }
}
