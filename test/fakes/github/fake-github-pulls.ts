import type { FakeGitStore } from "./fake-git-store.js";
import type { ReplyBody } from "./fake-github.js";

export interface FakePull {
  readonly number: number;
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  state: "open" | "closed";
  mergeCommit?: string;
  /** Why GitHub refuses to merge it (a pending required check, say); a merge answers 405 with this. */
  blockedBy?: string;
}

export interface PullsRequest {
  readonly store: FakeGitStore;
  readonly pulls: Map<number, FakePull>;
  readonly owner: string;
  readonly repo: string;
  readonly url: string;
  readonly method: string;
  /** The path after `/repos/{owner}/{repo}`. */
  readonly rest: string;
  readonly body: unknown;
}

const notFound: ReplyBody = { status: 404, body: { message: "Not Found", status: "404" } };

async function pullData(request: PullsRequest, pull: FakePull) {
  const html = `https://github.com/${request.owner}/${request.repo}/pull/${pull.number}`;
  return {
    number: pull.number,
    node_id: Buffer.from(`PullRequest:${pull.number}`).toString("base64"),
    url: `${request.url}/repos/${request.owner}/${request.repo}/pulls/${pull.number}`,
    html_url: html,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    merged: pull.mergeCommit !== undefined,
    merge_commit_sha: pull.mergeCommit ?? null,
    head: { ref: pull.head, sha: (await request.store.ref(`refs/heads/${pull.head}`)) ?? null },
    base: { ref: pull.base, sha: (await request.store.ref(`refs/heads/${pull.base}`)) ?? null },
  };
}

/** POST /pulls, GET /pulls/{n}, PUT /pulls/{n}/merge with GitHub's 405/409/422; undefined for other paths. */
export async function routePullRequest(request: PullsRequest): Promise<ReplyBody | undefined> {
  const { store, pulls, method, rest } = request;
  if (method === "POST" && rest === "/pulls") {
    const { head, base, title, body } = request.body as {
      head: string;
      base: string;
      title: string;
      body?: string;
    };
    if (
      (await store.ref(`refs/heads/${head}`)) === undefined ||
      (await store.ref(`refs/heads/${base}`)) === undefined
    ) {
      return {
        status: 422,
        body: { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "invalid" }] },
      };
    }
    if (
      [...pulls.values()].some((pull) => pull.state === "open" && pull.head === head && pull.base === base)
    ) {
      return {
        status: 422,
        body: {
          message: "Validation Failed",
          errors: [{ message: `A pull request already exists for ${request.owner}:${head}.` }],
        },
      };
    }
    const pull: FakePull = { number: pulls.size + 1, head, base, title, body: body ?? "", state: "open" };
    pulls.set(pull.number, pull);
    return { status: 201, body: await pullData(request, pull) };
  }
  const found = /^\/pulls\/(\d+)(\/merge)?$/.exec(rest);
  const pull = found === null ? undefined : pulls.get(Number(found[1]));
  if (found === null) return undefined;
  if (pull === undefined) return notFound;
  if (method === "GET" && found[2] === undefined) return { status: 200, body: await pullData(request, pull) };
  if (method !== "PUT" || found[2] === undefined) return undefined;
  const {
    sha,
    commit_title: title,
    commit_message: message,
  } = request.body as {
    sha?: string;
    commit_title?: string;
    commit_message?: string;
  };
  if (pull.state !== "open") return { status: 405, body: { message: "Pull Request is not mergeable" } };
  if (pull.blockedBy !== undefined) return { status: 405, body: { message: pull.blockedBy } };
  const headSha = (await store.ref(`refs/heads/${pull.head}`)) ?? "";
  if (sha !== undefined && sha !== headSha) {
    return { status: 409, body: { message: "Head branch was modified. Review and try the merge again." } };
  }
  const baseRef = `refs/heads/${pull.base}`;
  for (;;) {
    const baseSha = (await store.ref(baseRef)) ?? "";
    const merged = await store.mergeTree(baseSha, headSha);
    if ("conflicts" in merged) return { status: 405, body: { message: "Pull Request is not mergeable" } };
    const text = `${title ?? `Merge pull request #${pull.number}`}\n\n${message ?? ""}`.replace(/\n*$/, "\n");
    const commit = await store.writeCommit(merged.tree, [baseSha, headSha], text);
    if (!(await store.updateRef(baseRef, commit, baseSha))) continue;
    pull.state = "closed";
    pull.mergeCommit = commit;
    return { status: 200, body: { sha: commit, merged: true, message: "Pull Request successfully merged" } };
  }
}
