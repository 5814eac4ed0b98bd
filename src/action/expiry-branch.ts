import type { FileChange } from "../repos/policy-repo.js";
import { git, GitError, gitResult, gitText } from "../repos/git/git.js";
import { writeTree } from "../repos/git/write-tree.js";

/** The one branch the scheduled expiry proposal lives on; its PR is found by this head. */
export const EXPIRE_BRANCH = "scim-gitops/expire";

/** Who the workflow commits as: the identity GitHub shows for commits made from Actions. */
const ACTIONS_IDENTITY = {
  GIT_AUTHOR_NAME: "github-actions[bot]",
  GIT_AUTHOR_EMAIL: "41898282+github-actions[bot]@users.noreply.github.com",
  GIT_COMMITTER_NAME: "github-actions[bot]",
  GIT_COMMITTER_EMAIL: "41898282+github-actions[bot]@users.noreply.github.com",
} as const;

export interface ExpiryBranch {
  /** The commit the branch points at now. */
  readonly head: string;
  /** The checked-out commit it builds on. */
  readonly base: string;
  /** False when the branch already held this very change on this base, so nothing was pushed. */
  readonly pushed: boolean;
}

/**
 * Puts "the checked-out commit + `changes`" on `branch` of `remote`, rebuilt each run the way the sync
 * branch is, so it never conflicts with main. The commit is made with plumbing (a temporary index), so the
 * job's work tree is not what gets committed. When the branch already holds the same tree on the same base,
 * nothing is pushed: a daily run does not churn the PR's head, its checks or its reviews. The push uses the
 * credentials actions/checkout left for `remote`.
 */
export async function pushExpiryBranch(options: {
  readonly workspace: string;
  readonly changes: readonly FileChange[];
  readonly message: string;
  readonly branch?: string;
  readonly remote?: string;
}): Promise<ExpiryBranch> {
  const { workspace } = options;
  const branch = options.branch ?? EXPIRE_BRANCH;
  const remote = options.remote ?? "origin";
  const base = await gitText(["rev-parse", "HEAD^{commit}"], { cwd: workspace });
  const tree = await writeTree(workspace, base, options.changes);
  const current = await remoteHead(workspace, remote, branch);
  if (current !== undefined && (await holds(workspace, remote, branch, tree, base))) {
    return { head: current, base, pushed: false };
  }
  const commit = await gitText(["commit-tree", tree, "-p", base, "-F", "-"], {
    cwd: workspace,
    input: options.message,
    env: ACTIONS_IDENTITY,
  });
  const pushed = await gitResult(["push", "--quiet", "--force", remote, `${commit}:refs/heads/${branch}`], {
    cwd: workspace,
  });
  if (pushed.code !== 0) {
    throw new GitError(
      `could not push ${branch} to ${remote}: ${pushed.stderr}; give the job \`contents: write\` and keep actions/checkout's persist-credentials`,
    );
  }
  return { head: commit, base, pushed: true };
}

async function remoteHead(workspace: string, remote: string, branch: string): Promise<string | undefined> {
  const listed = await gitResult(["ls-remote", "--exit-code", remote, `refs/heads/${branch}`], {
    cwd: workspace,
  });
  if (listed.code === 2) return undefined;
  if (listed.code !== 0) throw new GitError(`could not read ${remote}'s branches: ${listed.stderr}`);
  return listed.stdout.toString("utf8").split("\t")[0]?.trim();
}

/** Fetches the branch's tip alone (the checkout may be shallow) and compares its tree and parent. */
async function holds(
  workspace: string,
  remote: string,
  branch: string,
  tree: string,
  base: string,
): Promise<boolean> {
  const shallow = await gitText(["rev-parse", "--is-shallow-repository"], { cwd: workspace });
  const depth = shallow === "true" ? ["--depth=1"] : [];
  await git(["fetch", "--quiet", "--no-tags", ...depth, remote, `refs/heads/${branch}`], { cwd: workspace });
  // The raw commit names its parent even where a shallow fetch cut the history there.
  const raw = (await git(["cat-file", "commit", "FETCH_HEAD"], { cwd: workspace })).toString("utf8");
  const headers = raw.slice(0, raw.indexOf("\n\n")).split("\n");
  const parents = headers.filter((line) => line.startsWith("parent ")).map((line) => line.slice(7));
  return headers.includes(`tree ${tree}`) && parents.length === 1 && parents[0] === base;
}
