import { exampleOf } from "./fake-github-schemas.js";
import type { FakePull, FakeRepoState } from "./fake-github-state.js";
import { timestamp } from "./fake-github-state.js";
import type { ReplyBody } from "./fake-github.js";

export interface PullsRequest {
  readonly state: FakeRepoState;
  readonly owner: string;
  readonly repo: string;
  /** The API base URL (with `/api/v3` on GHES). */
  readonly url: string;
  /** The web base URL (`html_url`s). */
  readonly web: string;
  readonly method: string;
  /** The path after `/repos/{owner}/{repo}`. */
  readonly rest: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

const notFound: ReplyBody = {
  status: 404,
  body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
};
const validationFailed = (errors: Record<string, unknown>[]): ReplyBody => ({
  status: 422,
  body: {
    message: "Validation Failed",
    errors,
    documentation_url: "https://docs.github.com/rest/pulls/pulls",
    status: "422",
  },
});

type Json = Record<string, unknown>;

/** GitHub's own example repository object, renamed to this fake's repository. */
function repositoryData(request: PullsRequest, template: Json): Json {
  const api = `${request.url}/repos/${request.owner}/${request.repo}`;
  const owner = { ...(template["owner"] as Json), login: request.owner };
  return {
    ...template,
    name: request.repo,
    full_name: `${request.owner}/${request.repo}`,
    owner,
    url: api,
    html_url: `${request.web}/${request.owner}/${request.repo}`,
    default_branch: "main",
  };
}

function labelData(request: PullsRequest, name: string): Json {
  const id = [...name].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
  return {
    id,
    node_id: Buffer.from(`Label:${id}`).toString("base64"),
    url: `${request.url}/repos/${request.owner}/${request.repo}/labels/${encodeURIComponent(name)}`,
    name,
    // The list of pulls (pull-request-simple) types it a non-null string; elsewhere it may be null.
    description: "",
    color: "ededed",
    default: false,
  };
}

/** A pull request as GitHub's example shapes it, with this fake's state in every field that has meaning. */
async function pullData(request: PullsRequest, pull: FakePull, full: boolean): Promise<Json> {
  const operation = full
    ? "GET /repos/{owner}/{repo}/pulls/{pull_number}"
    : "GET /repos/{owner}/{repo}/pulls";
  const example = exampleOf(operation);
  const template = (Array.isArray(example) ? example[0] : example) as Json;
  const api = `${request.url}/repos/${request.owner}/${request.repo}`;
  const html = `${request.web}/${request.owner}/${request.repo}/pull/${pull.number}`;
  const side = (branch: string, sha: string, example: Json) => ({
    ...example,
    label: `${request.owner}:${branch}`,
    ref: branch,
    sha,
    repo: repositoryData(request, example["repo"] as Json),
  });
  const head = await request.state.headSha(pull);
  const base = (await request.state.store.ref(`refs/heads/${pull.base}`)) ?? "";
  const merged = pull.mergeCommit !== undefined;
  const data: Json = {
    ...template,
    url: `${api}/pulls/${pull.number}`,
    id: 1000 + pull.number,
    node_id: Buffer.from(`PullRequest:${pull.number}`).toString("base64"),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    labels: pull.labels.map((name) => labelData(request, name)),
    milestone: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt ?? null,
    merged_at: merged ? (pull.closedAt ?? null) : null,
    merge_commit_sha: pull.mergeCommit ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head, head, template["head"] as Json),
    base: side(pull.base, base, template["base"] as Json),
    auto_merge:
      pull.autoMerge === undefined
        ? null
        : {
            enabled_by: template["user"],
            merge_method: "merge",
            commit_title: pull.autoMerge.headline,
            commit_message: pull.autoMerge.body,
          },
    draft: false,
  };
  if (!full) return data;
  const mergeState = await request.state.mergeState(pull);
  return {
    ...data,
    merged,
    mergeable: mergeState.mergeable,
    rebaseable: mergeState.mergeable,
    mergeable_state: mergeState.state,
    merged_by: merged ? template["user"] : null,
  };
}

/** Pulls and their labels, with GitHub's statuses and messages; undefined for paths this does not model. */
export async function routePullRequest(request: PullsRequest): Promise<ReplyBody | undefined> {
  const { state, method, rest } = request;
  const pulls = state.pulls;
  if (method === "GET" && rest === "/pulls") {
    const wanted = request.query.get("state") ?? "open";
    const head = request.query.get("head");
    const base = request.query.get("base");
    const ascending = request.query.get("direction") === "asc";
    const perPage = Math.min(100, Number(request.query.get("per_page") ?? 30));
    const page = Math.max(1, Number(request.query.get("page") ?? 1));
    // GitHub's `head` filter is `owner:branch`; a bare branch name matches nothing.
    const matches = [...pulls.values()]
      .filter((pull) => wanted === "all" || pull.state === wanted)
      .filter((pull) => head === null || `${request.owner}:${pull.head}` === head)
      .filter((pull) => base === null || pull.base === base)
      .sort((a, b) => (ascending ? a.number - b.number : b.number - a.number))
      .slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: await Promise.all(matches.map((pull) => pullData(request, pull, false))) };
  }
  if (method === "POST" && rest === "/pulls") {
    const { head, base, title, body } = request.body as {
      head: string;
      base: string;
      title: string;
      body?: string;
    };
    const branch = head.includes(":") ? head.slice(head.indexOf(":") + 1) : head;
    if ((await state.store.ref(`refs/heads/${branch}`)) === undefined)
      return validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    if ((await state.store.ref(`refs/heads/${base}`)) === undefined)
      return validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
    if (
      [...pulls.values()].some((pull) => pull.state === "open" && pull.head === branch && pull.base === base)
    ) {
      return validationFailed([
        {
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${request.owner}:${branch}.`,
        },
      ]);
    }
    const pull = state.openPull({ head: branch, base, title, body: body ?? "" });
    return { status: 201, body: await pullData(request, pull, true) };
  }
  const found = /^\/(pulls|issues)\/(\d+)(\/merge|\/labels)?$/.exec(rest);
  if (found === null) return undefined;
  const [, kind, number, tail] = found;
  const pull = pulls.get(Number(number));
  if (pull === undefined) return notFound;
  if (kind === "issues" && tail === "/labels") {
    if (method === "POST") {
      const { labels } = request.body as { labels: string[] };
      state.addLabels(pull, labels);
    } else if (method !== "GET") return undefined;
    return { status: 200, body: pull.labels.map((name) => labelData(request, name)) };
  }
  if (kind !== "pulls") return undefined;
  if (method === "GET" && tail === undefined)
    return { status: 200, body: await pullData(request, pull, true) };
  if (method === "PATCH" && tail === undefined) {
    const change = request.body as { title?: string; body?: string; state?: "open" | "closed" };
    if (change.title !== undefined) pull.title = change.title;
    if (change.body !== undefined) pull.body = change.body;
    pull.updatedAt = timestamp();
    if (change.state !== undefined && change.state !== pull.state) {
      pull.state = change.state;
      pull.closedAt = change.state === "closed" ? pull.updatedAt : undefined;
      state.emit({ name: "pull_request", action: change.state === "closed" ? "closed" : "reopened", pull });
    } else state.emit({ name: "pull_request", action: "edited", pull });
    return { status: 200, body: await pullData(request, pull, true) };
  }
  if (method !== "PUT" || tail !== "/merge") return undefined;
  const merge = request.body as { sha?: string; commit_title?: string; commit_message?: string } | undefined;
  const result = await state.merge(pull, {
    sha: merge?.sha,
    title: merge?.commit_title,
    message: merge?.commit_message,
  });
  if (result.status !== 200) {
    return {
      status: result.status,
      body: {
        message: result.message,
        documentation_url: "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request",
      },
    };
  }
  return {
    status: 200,
    body: { sha: result.sha, merged: true, message: "Pull Request successfully merged" },
  };
}
