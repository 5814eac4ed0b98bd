import type { Endpoints } from "@octokit/types";
import type { FakeGitStore, StoredCommit, TreeWrite } from "./fake-git-store.js";
import { ZERO } from "./fake-git-store.js";
import type { FakeGitHubFaults, ReplyBody } from "./fake-github.js";
import { exampleOf } from "./fake-github-schemas.js";

type RefData = Endpoints["GET /repos/{owner}/{repo}/git/ref/{ref}"]["response"]["data"];
type CommitData = Endpoints["GET /repos/{owner}/{repo}/git/commits/{commit_sha}"]["response"]["data"];
type TreeData = Endpoints["GET /repos/{owner}/{repo}/git/trees/{tree_sha}"]["response"]["data"];
type BlobData = Endpoints["GET /repos/{owner}/{repo}/git/blobs/{file_sha}"]["response"]["data"];

export interface FakeRequest {
  readonly store: FakeGitStore;
  readonly faults: FakeGitHubFaults;
  readonly owner: string;
  readonly repo: string;
  readonly url: string;
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

const NOT_FOUND: ReplyBody = {
  status: 404,
  body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
};
const unprocessable = (message: string): ReplyBody => ({
  status: 422,
  body: { message, documentation_url: "https://docs.github.com/rest/git/refs", status: "422" },
});
const RULE_VIOLATION: ReplyBody = {
  status: 409,
  body: {
    message: "Repository rule violations found\n\nChanges must be made through a pull request.",
    status: "409",
  },
};
const nodeId = (kind: string, sha: string) => Buffer.from(`${kind}:${sha}`).toString("base64");

async function beforeRefUpdate(faults: FakeGitHubFaults): Promise<void> {
  const hook = faults.beforeRefUpdate;
  faults.beforeRefUpdate = undefined;
  await hook?.();
}

/** Answers one request, or 404 for anything this fake does not model. */
export async function routeGitHubRequest(request: FakeRequest): Promise<ReplyBody> {
  const { store, method, body } = request;
  const prefix = `/repos/${request.owner}/${request.repo}`;
  if (!request.pathname.startsWith(`${prefix}/`)) return NOT_FOUND;
  const rest = request.pathname.slice(prefix.length);
  const match = (pattern: RegExp) => {
    const found = pattern.exec(rest);
    return found === null ? undefined : found.slice(1).map((part) => decodeURIComponent(part));
  };
  const api = `${request.url}${prefix}`;
  const refData = (ref: string, sha: string): RefData => ({
    ref,
    node_id: nodeId("Ref", ref),
    url: `${api}/git/refs/${ref.slice(5)}`,
    object: { type: "commit", sha, url: `${api}/git/commits/${sha}` },
  });
  const commitData = (commit: StoredCommit): CommitData => {
    const person = {
      name: "scim-gitops[bot]",
      email: "bot@users.noreply.github.com",
      date: "2026-11-29T00:00:00Z",
    };
    return {
      sha: commit.sha,
      node_id: nodeId("Commit", commit.sha),
      url: `${api}/git/commits/${commit.sha}`,
      html_url: `https://github.com/${request.owner}/${request.repo}/commit/${commit.sha}`,
      author: person,
      committer: person,
      message: commit.message.replace(/\n$/, ""),
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${api}/git/commits/${sha}`,
        html_url: `https://github.com/${request.owner}/${request.repo}/commit/${sha}`,
      })),
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  };
  /** A commit as the REST commits API shapes it (not git data's), from GitHub's own example. */
  const restCommitData = (commit: StoredCommit) => {
    const template = exampleOf("POST /repos/{owner}/{repo}/merges") as Record<string, unknown>;
    const html = `https://github.com/${request.owner}/${request.repo}/commit/${commit.sha}`;
    const git = commitData(commit);
    return {
      ...template,
      url: `${api}/commits/${commit.sha}`,
      sha: commit.sha,
      node_id: nodeId("Commit", commit.sha),
      html_url: html,
      comments_url: `${api}/commits/${commit.sha}/comments`,
      commit: {
        ...(template["commit"] as Record<string, unknown>),
        url: git.url,
        author: git.author,
        committer: git.committer,
        message: git.message,
        tree: git.tree,
        comment_count: 0,
      },
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${api}/commits/${sha}`,
        html_url: `https://github.com/${request.owner}/${request.repo}/commit/${sha}`,
      })),
      files: [],
    };
  };
  const treeData = async (sha: string, recursive: boolean): Promise<TreeData> => ({
    sha,
    url: `${api}/git/trees/${sha}`,
    truncated: false,
    tree: (await store.tree(sha, recursive)).map((entry) => ({
      ...entry,
      url: `${api}/git/${entry.type === "blob" ? "blobs" : "trees"}/${entry.sha}`,
    })),
  });
  const resolve = async (name: string) =>
    /^[0-9a-f]{40}$/.test(name) && (await store.objectType(name)) === "commit"
      ? name
      : store.ref(`refs/heads/${name}`);

  let found: string[] | undefined;
  if (method === "GET" && (found = match(/^\/git\/ref\/(.+)$/))) {
    const ref = `refs/${found[0] ?? ""}`;
    const sha = await store.ref(ref);
    return sha === undefined ? NOT_FOUND : { status: 200, body: refData(ref, sha) };
  }
  if (method === "GET" && (found = match(/^\/git\/matching-refs\/(.*)$/))) {
    const refs = await store.refs(`refs/${found[0] ?? ""}`);
    return { status: 200, body: refs.map((entry) => refData(entry.ref, entry.sha)) };
  }
  if (method === "GET" && (found = match(/^\/git\/commits\/([^/]+)$/))) {
    const commit = await store.commit(found[0] ?? "");
    return commit === undefined ? NOT_FOUND : { status: 200, body: commitData(commit) };
  }
  if (method === "GET" && (found = match(/^\/git\/trees\/([^/]+)$/))) {
    const sha = found[0] ?? "";
    const type = await store.objectType(sha);
    if (type !== "tree" && type !== "commit") return NOT_FOUND;
    const recursive = request.query.has("recursive");
    return { status: 200, body: await treeData(sha, recursive) };
  }
  if (method === "GET" && (found = match(/^\/git\/blobs\/([^/]+)$/))) {
    const sha = found[0] ?? "";
    const bytes = await store.blob(sha);
    if (bytes === undefined) return NOT_FOUND;
    const data: BlobData = {
      sha,
      node_id: nodeId("Blob", sha),
      url: `${api}/git/blobs/${sha}`,
      size: bytes.length,
      content: (bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n") + "\n",
      encoding: "base64",
    };
    return { status: 200, body: data };
  }
  if (method === "GET" && (found = match(/^\/contents\/(.+)$/))) {
    const path = found[0] ?? "";
    const commit = await resolve(request.query.get("ref") ?? "main");
    const tree = commit === undefined ? undefined : (await store.commit(commit))?.tree;
    if (tree === undefined) return NOT_FOUND;
    const entry = (await store.tree(tree, true)).find((candidate) => candidate.path === path);
    if (entry === undefined) return NOT_FOUND;
    if (entry.type === "tree") return { status: 200, body: [] };
    const bytes = (await store.blob(entry.sha)) ?? Buffer.alloc(0);
    const self = `${api}/contents/${path}?ref=${commit ?? ""}`;
    const html = `https://github.com/${request.owner}/${request.repo}/blob/${commit ?? ""}/${path}`;
    const git = `${api}/git/blobs/${entry.sha}`;
    return {
      status: 200,
      body: {
        ...(exampleOf("GET /repos/{owner}/{repo}/contents/{path}") as Record<string, unknown>),
        type: "file",
        encoding: "base64",
        size: bytes.length,
        name: path.split("/").pop(),
        path,
        sha: entry.sha,
        content: bytes.toString("base64"),
        url: self,
        git_url: git,
        html_url: html,
        download_url: `https://raw.githubusercontent.com/${request.owner}/${request.repo}/${commit ?? ""}/${path}`,
        _links: { self, git, html },
      },
    };
  }
  if (method === "GET" && (found = match(/^\/tarball\/(.+)$/))) {
    const commit = await resolve(found[0] ?? "");
    if (commit === undefined) return NOT_FOUND;
    return { status: 302, headers: { location: `${request.url}/_codeload/${commit}` } };
  }
  if (method === "GET" && (found = match(/^\/compare\/(.+)\.\.\.(.+)$/))) {
    const [base, head] = await Promise.all([resolve(found[0] ?? ""), resolve(found[1] ?? "")]);
    if (base === undefined || head === undefined) return NOT_FOUND;
    if (!(await store.related(base, head))) {
      return {
        status: 404,
        body: { message: `No common ancestor between ${found[0] ?? ""} and ${found[1] ?? ""}.` },
      };
    }
    const { ahead, behind } = await store.aheadBehind(base, head);
    const status =
      ahead === 0 && behind === 0
        ? "identical"
        : behind === 0
          ? "ahead"
          : ahead === 0
            ? "behind"
            : "diverged";
    const [baseCommit, headCommit] = await Promise.all([store.commit(base), store.commit(head)]);
    if (baseCommit === undefined || headCommit === undefined) return NOT_FOUND;
    const html = `https://github.com/${request.owner}/${request.repo}/compare/${found[0] ?? ""}...${found[1] ?? ""}`;
    return {
      status: 200,
      body: {
        url: `${api}/compare/${found[0] ?? ""}...${found[1] ?? ""}`,
        html_url: html,
        permalink_url: html,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: restCommitData(baseCommit),
        // The merge base is not computed: no caller reads it, and the base commit has its shape.
        merge_base_commit: restCommitData(baseCommit),
        status,
        ahead_by: ahead,
        behind_by: behind,
        total_commits: ahead,
        commits: [],
        files: [],
      },
    };
  }
  if (method === "POST" && rest === "/git/trees") {
    const { base_tree: base, tree } = body as { base_tree?: string; tree: TreeWrite[] };
    if (base !== undefined && (await store.objectType(base)) !== "tree")
      return unprocessable("Invalid tree info");
    const written = await store.writeTree(base, tree);
    if (typeof written !== "string")
      return unprocessable(`GitRPC::BadObjectState: ${written.missing} does not exist`);
    return { status: 201, body: await treeData(written, false) };
  }
  if (method === "POST" && rest === "/git/commits") {
    const { message, tree, parents } = body as { message: string; tree: string; parents: string[] };
    if ((await store.objectType(tree)) !== "tree") return unprocessable("Tree SHA does not exist");
    for (const parent of parents) {
      if ((await store.objectType(parent)) !== "commit")
        return unprocessable("Parent SHA does not exist or is not a commit object");
    }
    const sha = await store.writeCommit(tree, parents, message.endsWith("\n") ? message : `${message}\n`);
    const commit = await store.commit(sha);
    return { status: 201, body: commit === undefined ? undefined : commitData(commit) };
  }
  if (method === "POST" && rest === "/git/refs") {
    const { ref, sha } = body as { ref: string; sha: string };
    if ((await store.objectType(sha)) !== "commit") return unprocessable("Object does not exist");
    await beforeRefUpdate(request.faults);
    if (!(await store.updateRef(ref, sha, ZERO))) return unprocessable("Reference already exists");
    return { status: 201, body: refData(ref, sha) };
  }
  if ((method === "PATCH" || method === "DELETE") && (found = match(/^\/git\/refs\/(.+)$/))) {
    const ref = `refs/${found[0] ?? ""}`;
    const current = await store.ref(ref);
    if (current === undefined) return unprocessable("Reference does not exist");
    if (method === "DELETE")
      return (await store.deleteRef(ref, current))
        ? { status: 204 }
        : unprocessable("Reference cannot be updated");
    const { sha, force } = body as { sha: string; force?: boolean };
    if ((await store.objectType(sha)) !== "commit") return unprocessable("Object does not exist");
    if (request.faults.protectedBranches?.has(ref.slice("refs/heads/".length)) === true) {
      return unprocessable(`Protected branch update failed for ${ref}.`);
    }
    await beforeRefUpdate(request.faults);
    const now = await store.ref(ref);
    const fastForward = now !== undefined && (await store.isAncestor(now, sha));
    if (now === undefined || (force !== true && !fastForward))
      return unprocessable("Update is not a fast forward");
    if (!(await store.updateRef(ref, sha, now))) return unprocessable("Update is not a fast forward");
    return { status: 200, body: refData(ref, sha) };
  }
  if (method === "POST" && rest === "/merges") {
    const {
      base,
      head,
      commit_message: message,
    } = body as { base: string; head: string; commit_message?: string };
    const baseRef = `refs/heads/${base}`;
    if ((await store.ref(baseRef)) === undefined)
      return { status: 404, body: { message: "Base does not exist" } };
    const headSha = await resolve(head);
    if (headSha === undefined) return { status: 404, body: { message: "Head does not exist" } };
    if (request.faults.protectedBranches?.has(base) === true) return RULE_VIOLATION;
    // GitHub merges atomically on its side; here a lost compare-and-swap recomputes the merge.
    for (;;) {
      const baseSha = (await store.ref(baseRef)) ?? "";
      if (await store.isAncestor(headSha, baseSha)) return { status: 204 };
      const merged = await store.mergeTree(baseSha, headSha);
      if ("conflicts" in merged) return { status: 409, body: { message: "Merge conflict" } };
      const text = message ?? `Merge ${head} into ${base}`;
      const sha = await store.writeCommit(
        merged.tree,
        [baseSha, headSha],
        text.endsWith("\n") ? text : `${text}\n`,
      );
      await beforeRefUpdate(request.faults);
      if (!(await store.updateRef(baseRef, sha, baseSha))) continue;
      const stored = (await store.commit(sha)) ?? { sha, tree: merged.tree, parents: [], message: text };
      return { status: 201, body: restCommitData(stored) };
    }
  }
  return NOT_FOUND;
}
