import { createHash } from "node:crypto";
import type {
  BranchHead,
  CommitInfo,
  CommitRequest,
  MergeRequest,
  PolicyRepo,
  RefUpdate,
} from "../policy-repo.js";
import { HeadMovedError, MergeConflictError, RefNotFoundError } from "../policy-repo.js";
import type { GitHubClient, GitHubResponse } from "./github-request.js";
import { bodyMessage, GitHubApiError, requestGitHub } from "./github-request.js";
import type { TreeFile } from "./github-read-tree.js";
import { readBlobs, readContentFile, readTree } from "./github-read-tree.js";
import { cacheTarball } from "./read-tarball.js";

export interface GitHubPolicyRepoOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly baseBranch?: string;
  /** Names the scratch branch of a merge pinned to its base; defaults to a random suffix. */
  readonly scratchName?: () => string;
}

interface RefData {
  readonly object: { readonly sha: string };
}
interface CommitData {
  readonly sha: string;
  readonly message: string;
  readonly tree: { readonly sha: string };
  readonly parents: readonly { readonly sha: string }[];
}

/** Past this many blobs not yet cached, one tarball is cheaper than a request each. */
const TARBALL_ABOVE = 16;
/** Commits and trees are immutable, so they are kept; past these many the cache starts over. */
const COMMIT_CACHE_LIMIT = 2_000;
const TREE_CACHE_LIMIT = 16;
const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The policy repository on GitHub through the REST git-data API (DESIGN §5, reference/github.md §2): a commit
 * of any number of files costs the same handful of requests. Differences from the git implementation:
 * - GitHub's ref update checks fast-forward, not compare-and-swap, so `expect` reads the ref first and the
 *   fast-forward check closes the rest of the window whenever the new commit builds on the expected head
 *   (as every `commitFiles` does);
 * - `deleteBranch` with `expectedHead` checks, then deletes: GitHub has no conditional delete;
 * - `merge` is GitHub's own server-side merge (POST /merges) of the pinned sha, and a merge pinned to
 *   `expectedBase` is made on a scratch branch at that base and fast-forwarded onto `into`;
 * - a merge conflict carries no paths: GitHub does not name them;
 * - `expect` cannot move a branch back or sideways (GitHub allows that only with force), and `merge`
 *   writes straight onto `into`, which a protected main refuses: merge those through a pull request.
 */
export class GitHubPolicyRepo implements PolicyRepo {
  readonly location: string;
  readonly baseBranch: string;
  private readonly client: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly scratchName: () => string;
  private readonly blobCache = new Map<string, string>();
  private readonly commitCache = new Map<string, CommitInfo>();
  private readonly treeCache = new Map<string, readonly TreeFile[]>();

  constructor(options: GitHubPolicyRepoOptions) {
    this.client = options.client;
    this.owner = options.owner;
    this.repo = options.repo;
    this.baseBranch = options.baseBranch ?? "main";
    this.location = `${options.owner}/${options.repo}`;
    this.scratchName =
      options.scratchName ?? (() => `scim-gitops/merging/${Math.random().toString(36).slice(2, 10)}`);
  }

  async head(branch: string): Promise<string | undefined> {
    const response = await this.send(
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      { ref: `heads/${branch}` },
      [404],
    );
    return response.status === 404 ? undefined : (response.data as RefData).object.sha;
  }

  async readCommit(sha: string): Promise<CommitInfo> {
    const cached = this.commitCache.get(sha);
    if (cached !== undefined) return cached;
    const response = await this.send(
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      { commit_sha: sha },
      [404, 422],
    );
    if (response.status !== 200) throw new RefNotFoundError(sha);
    return this.remember(response.data as CommitData);
  }

  async readFile(ref: string, path: string): Promise<string | undefined> {
    const commit = await this.resolve(ref);
    if (commit === undefined) return undefined;
    return readContentFile(
      (route, parameters) => this.send(route, parameters, [404]),
      commit,
      path,
      this.blobCache,
    );
  }

  async readFiles(ref: string, dir: string): Promise<Map<string, string>> {
    const commit = await this.resolve(ref);
    if (commit === undefined) throw new RefNotFoundError(ref);
    const tree = (await this.readCommit(commit)).tree;
    const prefix = dir === "" || dir === "." ? "" : `${dir.replace(/\/+$/, "")}/`;
    const send = (route: string, parameters: Record<string, unknown>) => this.send(route, parameters);
    const entries = (await this.readTree(tree)).filter(
      (entry) => entry.type === "blob" && entry.path.startsWith(prefix),
    );
    const unknown = entries.filter((entry) => !this.blobCache.has(entry.sha)).length;
    if (unknown > TARBALL_ABOVE) await cacheTarball(send, commit, this.blobCache);
    const texts = await readBlobs(
      send,
      entries.map((entry) => entry.sha),
      this.blobCache,
    );
    return new Map(entries.map((entry, index) => [entry.path.slice(prefix.length), texts[index] ?? ""]));
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return true;
    const response = await this.send(
      "GET /repos/{owner}/{repo}/compare/{basehead}",
      { basehead: `${ancestor}...${descendant}`, per_page: 1 },
      [404],
    );
    // Unrelated histories are a 404 too, told apart by GitHub's message.
    if (response.status === 404 && /no common ancestor/i.test(bodyMessage(response.data))) return false;
    if (response.status === 404) throw new RefNotFoundError(`${ancestor} or ${descendant}`);
    const status = (response.data as { status?: string }).status;
    return status === "ahead" || status === "identical";
  }

  /** From the two commits' tree listings, which are kept: no compare request, and no 300-file cap. */
  async changedPaths(from: string, to: string): Promise<string[]> {
    const listing = async (ref: string) => {
      const commit = await this.resolve(ref);
      if (commit === undefined) throw new RefNotFoundError(ref);
      const files = await this.readTree((await this.readCommit(commit)).tree);
      return new Map(files.map((entry) => [entry.path, `${entry.mode} ${entry.sha}`]));
    };
    const [before, after] = await Promise.all([listing(from), listing(to)]);
    const paths = new Set([...before.keys(), ...after.keys()]);
    return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
  }

  async commitFiles(request: CommitRequest): Promise<string> {
    if (request.update.kind === "expect") await this.expectHead(request.branch, request.update.head);
    const parent = await this.readCommit(request.parent);
    const tree = await this.writeTree(parent.tree, request.changes);
    const created = await this.send("POST /repos/{owner}/{repo}/git/commits", {
      message: request.message,
      tree,
      parents: [parent.sha],
    });
    // GitHub answers with the whole commit: the next flush, which builds on it, need not read it back.
    const commit = this.remember(created.data as CommitData).sha;
    await this.moveRef(request.branch, commit, request.update);
    return commit;
  }

  async setBranch(branch: string, sha: string, update: RefUpdate): Promise<void> {
    if (update.kind === "expect") await this.expectHead(branch, update.head);
    await this.moveRef(branch, sha, update);
  }

  async deleteBranch(branch: string, expectedHead?: string): Promise<void> {
    const actual = await this.head(branch);
    if (actual === undefined) return;
    if (expectedHead !== undefined && actual !== expectedHead) {
      throw new HeadMovedError(branch, expectedHead, actual);
    }
    await this.send("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ref: `heads/${branch}` }, [422]);
  }

  async merge(request: MergeRequest): Promise<string> {
    await this.expectHead(request.branch, request.head);
    if (request.expectedBase === undefined) return this.mergeInto(request.into, request);
    await this.expectHead(request.into, request.expectedBase);
    const scratch = this.scratchName();
    await this.moveRef(scratch, request.expectedBase, { kind: "create" });
    try {
      const merged = await this.mergeInto(scratch, request);
      await this.moveRef(request.into, merged, { kind: "expect", head: request.expectedBase });
      return merged;
    } finally {
      // Cleanup must not hide the merge's own outcome; a leftover scratch branch holds nothing new.
      await this.deleteBranch(scratch).catch(() => undefined);
    }
  }

  async listBranches(prefix: string): Promise<BranchHead[]> {
    const response = await this.send("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", {
      ref: `heads/${prefix}`,
    });
    return (response.data as readonly (RefData & { ref: string })[])
      .map((ref) => ({ branch: ref.ref.slice("refs/heads/".length), head: ref.object.sha }))
      .filter((entry) => entry.branch.startsWith(prefix))
      .sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0));
  }

  /** One POST /merges of the pinned sha (not the branch name, which may move meanwhile). */
  private async mergeInto(base: string, request: MergeRequest): Promise<string> {
    const response = await this.send(
      "POST /repos/{owner}/{repo}/merges",
      { base, head: request.head, commit_message: request.message, request: { retries: 0 } },
      [404, 409],
    );
    if (response.status === 409 && /conflict/i.test(bodyMessage(response.data))) {
      throw new MergeConflictError(request.branch, request.into, []);
    }
    if (response.status === 409) {
      throw new GitHubApiError(
        "POST /repos/{owner}/{repo}/merges",
        409,
        `GitHub refused to merge ${request.branch} into ${base} (${bodyMessage(response.data)}): ` +
          `a protected branch takes its changes through a pull request`,
      );
    }
    if (response.status === 404) throw new RefNotFoundError(`${base} or ${request.head}`);
    // 204: the head is already in the base, so GitHub made no commit.
    if (response.status === 204) return (await this.head(base)) ?? request.head;
    return (response.data as { sha: string }).sha;
  }

  /** Builds the new tree in one request; deletions of paths the parent lacks are dropped (GitHub refuses them). */
  private async writeTree(baseTree: string, changes: CommitRequest["changes"]): Promise<string> {
    const deletions = changes.filter((change) => change.content === null);
    const existing =
      deletions.length === 0
        ? new Set<string>()
        : new Set((await this.readTree(baseTree)).map((entry) => entry.path));
    const entries = changes
      .filter((change) => change.content !== null || existing.has(change.path))
      .map((change) =>
        change.content === null
          ? { path: change.path, mode: "100644", type: "blob", sha: null }
          : { path: change.path, mode: "100644", type: "blob", content: change.content },
      );
    if (entries.length === 0) return baseTree;
    const response = await this.send("POST /repos/{owner}/{repo}/git/trees", {
      base_tree: baseTree,
      tree: entries,
    });
    // A blob's id is the hash of its content, so what was just written is known without reading it back.
    for (const change of changes) if (change.content !== null) this.cacheBlob(change.content);
    return (response.data as { sha: string }).sha;
  }

  private cacheBlob(content: string): void {
    const bytes = Buffer.from(content, "utf8");
    const sha = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
    this.blobCache.set(sha, content);
  }

  private remember(data: CommitData): CommitInfo {
    const commit = {
      sha: data.sha,
      tree: data.tree.sha,
      parents: data.parents.map((parent) => parent.sha),
      message: data.message,
    };
    if (this.commitCache.size >= COMMIT_CACHE_LIMIT) this.commitCache.clear();
    this.commitCache.set(commit.sha, commit);
    return commit;
  }

  /** A tree's files, recursively; a tree's id is its content's hash, so a cached listing is never stale. */
  private async readTree(tree: string): Promise<readonly TreeFile[]> {
    const cached = this.treeCache.get(tree);
    if (cached !== undefined) return cached;
    const files = await readTree((route, parameters) => this.send(route, parameters), tree);
    if (this.treeCache.size >= TREE_CACHE_LIMIT) this.treeCache.clear();
    this.treeCache.set(tree, files);
    return files;
  }

  private async expectHead(branch: string, expected: string): Promise<void> {
    const actual = (await this.head(branch)) ?? null;
    if (actual !== expected) throw new HeadMovedError(branch, expected, actual);
  }

  /**
   * One POST or PATCH of the ref. A 422 is a lost race only when the branch is no longer where the update
   * expected it; otherwise GitHub refused the update itself (a protected branch or ruleset, or a move that
   * is not a fast-forward, which GitHub allows only with force) and retrying would not help.
   */
  private async moveRef(branch: string, sha: string, update: RefUpdate): Promise<void> {
    const response =
      update.kind === "create"
        ? await this.send("POST /repos/{owner}/{repo}/git/refs", { ref: `refs/heads/${branch}`, sha }, [422])
        : await this.send(
            "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
            { ref: `heads/${branch}`, sha, force: update.kind === "force" },
            [422],
          );
    if (response.status !== 422) return;
    const actual = (await this.head(branch)) ?? null;
    if (update.kind === "force" && actual === null) return this.moveRef(branch, sha, { kind: "create" });
    const expected = update.kind === "expect" ? update.head : null;
    const cause = new Error(bodyMessage(response.data));
    if (update.kind !== "force" && actual !== expected)
      throw new HeadMovedError(branch, expected, actual, { cause });
    throw new GitHubApiError(
      "git/refs",
      422,
      `GitHub refused to move ${branch} to ${sha} (${cause.message}): check the branch's protection rules ` +
        `and that the new commit builds on the branch's head`,
      { cause },
    );
  }

  private async resolve(ref: string): Promise<string | undefined> {
    return FULL_SHA.test(ref) ? ref : this.head(ref);
  }

  private send(
    route: string,
    parameters: Record<string, unknown>,
    handled: readonly number[] = [],
  ): Promise<GitHubResponse> {
    return requestGitHub(this.client, route, { owner: this.owner, repo: this.repo, ...parameters }, handled);
  }
}
