import type {
  BranchHead,
  CommitInfo,
  CommitRequest,
  MergeRequest,
  PolicyRepo,
  RefUpdate,
} from "../policy-repo.js";
import { HeadMovedError, MergeConflictError, RefNotFoundError } from "../policy-repo.js";
import { GitError, gitResult, gitText, readTreeFiles } from "./git.js";
import { writeTree } from "./write-tree.js";

/** Who the bot commits as; set through the environment so a machine with no git config works. */
const BOT_IDENTITY = {
  GIT_AUTHOR_NAME: "scim-gitops",
  GIT_AUTHOR_EMAIL: "scim-gitops@localhost",
  GIT_COMMITTER_NAME: "scim-gitops",
  GIT_COMMITTER_EMAIL: "scim-gitops@localhost",
} as const;

/** Merges whose base moved under them are recomputed this many times before giving up. */
const MERGE_ATTEMPTS = 5;

/**
 * The policy repository as a git repository on disk (DESIGN §8, embedded mode). Plumbing only: objects,
 * a temporary index and compare-and-swap ref updates, so a checked-out work tree and its index are never
 * touched and a person's concurrent push loses nothing (one side gets `HeadMovedError`).
 */
export class GitPolicyRepo implements PolicyRepo {
  readonly location: string;

  constructor(
    readonly path: string,
    readonly baseBranch = "main",
  ) {
    this.location = path;
  }

  async head(branch: string): Promise<string | undefined> {
    const result = await gitResult(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
      cwd: this.path,
    });
    if (result.code === 0) return result.stdout.toString("utf8").trim();
    if (result.code === 1) return undefined;
    throw new GitError(`git rev-parse failed for ${branch}: ${result.stderr}`);
  }

  async readCommit(sha: string): Promise<CommitInfo> {
    const result = await gitResult(["cat-file", "commit", sha], { cwd: this.path });
    if (result.code !== 0) throw new RefNotFoundError(sha);
    const text = result.stdout.toString("utf8");
    const split = text.indexOf("\n\n");
    const headers = (split === -1 ? text : text.slice(0, split)).split("\n");
    const value = (line: string) => line.slice(line.indexOf(" ") + 1);
    return {
      sha,
      tree: value(headers.find((line) => line.startsWith("tree ")) ?? ""),
      parents: headers.filter((line) => line.startsWith("parent ")).map(value),
      message: split === -1 ? "" : text.slice(split + 2),
    };
  }

  async readFile(ref: string, path: string): Promise<string | undefined> {
    const result = await gitResult(["cat-file", "blob", `${this.revision(ref)}:${path}`], { cwd: this.path });
    return result.code === 0 ? result.stdout.toString("utf8") : undefined;
  }

  readFiles(ref: string, dir: string): Promise<Map<string, string>> {
    return readTreeFiles(this.path, this.revision(ref), dir);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await gitResult(["merge-base", "--is-ancestor", ancestor, descendant], { cwd: this.path });
    if (result.code === 0) return true;
    if (result.code === 1) return false;
    throw new GitError(`git merge-base failed: ${result.stderr}`);
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    const result = await gitResult(
      ["diff-tree", "-r", "--no-renames", "--name-only", "-z", this.revision(from), this.revision(to)],
      { cwd: this.path },
    );
    if (result.code !== 0) throw new RefNotFoundError(`${from} or ${to}`);
    const paths = result.stdout.toString("utf8").split("\0");
    return paths.filter((path) => path !== "").sort();
  }

  async commitFiles(request: CommitRequest): Promise<string> {
    const commit = await this.writeCommit(request.parent, request.changes, request.message);
    await this.setBranch(request.branch, commit, request.update);
    return commit;
  }

  /** A commit object from `parent` (none for a root commit) plus `changes`; no ref moves. */
  async writeCommit(
    parent: string | undefined,
    changes: CommitRequest["changes"],
    message: string,
    extraParents: readonly string[] = [],
  ): Promise<string> {
    const tree = await writeTree(this.path, parent, changes);
    return this.commitTree(tree, parent === undefined ? extraParents : [parent, ...extraParents], message);
  }

  async setBranch(branch: string, sha: string, update: RefUpdate): Promise<void> {
    const ref = `refs/heads/${branch}`;
    const zero = sha.replace(/./g, "0");
    const expected = update.kind === "create" ? zero : update.kind === "expect" ? update.head : undefined;
    const args = ["update-ref", "-m", `scim-gitops: ${branch}`, ref, sha];
    if (expected !== undefined) args.push(expected);
    const result = await gitResult(args, { cwd: this.path });
    if (result.code === 0) return;
    const actual = (await this.head(branch)) ?? null;
    if (expected !== undefined && actual !== (expected === zero ? null : expected)) {
      throw new HeadMovedError(branch, expected === zero ? null : expected, actual);
    }
    throw new GitError(`git update-ref ${ref} failed: ${result.stderr}`);
  }

  async deleteBranch(branch: string, expectedHead?: string): Promise<void> {
    const actual = await this.head(branch);
    if (actual === undefined) return;
    if (expectedHead !== undefined && actual !== expectedHead) {
      throw new HeadMovedError(branch, expectedHead, actual);
    }
    const result = await gitResult(["update-ref", "-d", `refs/heads/${branch}`, expectedHead ?? actual], {
      cwd: this.path,
    });
    if (result.code === 0) return;
    const now = (await this.head(branch)) ?? null;
    if (now === null) return;
    throw new HeadMovedError(branch, expectedHead ?? actual, now);
  }

  async merge(request: MergeRequest): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const branchHead = (await this.head(request.branch)) ?? null;
      if (branchHead !== request.head) throw new HeadMovedError(request.branch, request.head, branchHead);
      const base = await this.head(request.into);
      if (base === undefined) throw new RefNotFoundError(request.into);
      if (request.expectedBase !== undefined && base !== request.expectedBase) {
        throw new HeadMovedError(request.into, request.expectedBase, base);
      }
      const merged = await gitResult(
        ["merge-tree", "--write-tree", "--name-only", "--no-messages", base, request.head],
        { cwd: this.path },
      );
      const lines = merged.stdout.toString("utf8").split("\n");
      if (merged.code === 1) {
        throw new MergeConflictError(
          request.branch,
          request.into,
          lines.slice(1).filter((line) => line !== ""),
        );
      }
      if (merged.code !== 0) throw new GitError(`git merge-tree failed: ${merged.stderr}`);
      const commit = await this.commitTree(lines[0] ?? "", [base, request.head], request.message);
      try {
        await this.setBranch(request.into, commit, { kind: "expect", head: base });
        return commit;
      } catch (error) {
        const retry =
          error instanceof HeadMovedError && request.expectedBase === undefined && attempt < MERGE_ATTEMPTS;
        if (!retry) throw error;
      }
    }
  }

  async listBranches(prefix: string): Promise<BranchHead[]> {
    const output = await gitText(
      ["for-each-ref", "--sort=refname", "--format=%(objectname) %(refname)", "refs/heads/"],
      { cwd: this.path },
    );
    return output
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const space = line.indexOf(" ");
        return { head: line.slice(0, space), branch: line.slice(space + 1 + "refs/heads/".length) };
      })
      .filter((entry) => entry.branch.startsWith(prefix));
  }

  private async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((parent) => ["-p", parent]), "-F", "-"];
    return gitText(args, { cwd: this.path, input: message, env: BOT_IDENTITY });
  }

  /** A full commit id stays as it is; a branch name is read as `refs/heads/<name>`, never a tag. */
  private revision(ref: string): string {
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ref) ? ref : `refs/heads/${ref}`;
  }
}
