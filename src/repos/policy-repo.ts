/**
 * Where the policy lives (DESIGN §5, §8): one interface with a git-on-disk implementation (`git/`) and, later,
 * a GitHub one (`github/`). Every write names the head it expects, so a lost race surfaces as
 * `HeadMovedError` and the caller re-reads and re-applies its edit (`retryOnHeadMoved`).
 */

/** One file of a commit: new text, or `null` to delete it (deleting a missing path is not an error). */
export interface FileChange {
  /** Path from the repository root, `/`-separated. */
  readonly path: string;
  readonly content: string | null;
}

/**
 * How a branch ref moves: `create` refuses when the branch exists; `expectedHead` is compare-and-swap;
 * `force` is for branches the bot owns and rebuilds (the sync branch).
 */
export type RefUpdate =
  | { readonly kind: "create" }
  | { readonly kind: "expect"; readonly head: string }
  | { readonly kind: "force" };

export interface CommitRequest {
  readonly branch: string;
  /** The commit the new one builds on; its tree plus `changes` is the new tree. */
  readonly parent: string;
  readonly changes: readonly FileChange[];
  /** Subject, body and trailers, as git stores them. */
  readonly message: string;
  readonly update: RefUpdate;
}

export interface MergeRequest {
  readonly branch: string;
  /** The head that was reviewed or proven; the merge is refused when the branch has moved from it. */
  readonly head: string;
  readonly into: string;
  readonly message: string;
  /**
   * When set, refuse if `into` has moved from this commit (the proof was made against it). A host that
   * merges server-side (GitHub) may not be able to honour it and says so in its docs.
   */
  readonly expectedBase?: string;
}

export interface BranchHead {
  readonly branch: string;
  readonly head: string;
}

export interface CommitInfo {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
}

export interface PolicyRepo {
  /** Human-readable location for logs and `/healthz` (a path or `owner/name`); never a credential. */
  readonly location: string;
  /** The branch people review into and apply from (`main`). */
  readonly baseBranch: string;
  /** The commit a branch points at, or undefined when it does not exist. */
  head(branch: string): Promise<string | undefined>;
  readCommit(sha: string): Promise<CommitInfo>;
  /** One file's text at `ref`, or undefined when it does not exist there. */
  readFile(ref: string, path: string): Promise<string | undefined>;
  /** Every file under `dir` at `ref` (a branch or commit), keyed by path relative to `dir`. */
  readFiles(ref: string, dir: string): Promise<Map<string, string>>;
  /** True when `ancestor` is `descendant` or one of its ancestors. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /**
   * Paths from the repository root that differ between two commits (added, deleted, or changed in content
   * or mode), sorted; for telling a branch that holds only a known edit from one that holds more.
   */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** Writes one commit of any number of files and moves the branch to it. Resolves to the new commit. */
  commitFiles(request: CommitRequest): Promise<string>;
  /** Points a branch at an existing commit. */
  setBranch(branch: string, sha: string, update: RefUpdate): Promise<void>;
  /** Deletes a branch; with `expectedHead`, only when it still points there. Missing branches are fine. */
  deleteBranch(branch: string, expectedHead?: string): Promise<void>;
  /** Merges `head` into `into` with a merge commit (never a fast-forward). Resolves to the merge commit. */
  merge(request: MergeRequest): Promise<string>;
  /** Branches whose name starts with `prefix` (e.g. `scim-gitops/`), sorted by name. */
  listBranches(prefix: string): Promise<BranchHead[]>;
}

/**
 * An error that says when asking the host again makes sense: a rate limit's `retry-after` (GitHub's
 * `GitHubRateLimitError` is one). Callers wait that long instead of their usual backoff, and send nothing
 * to the host meanwhile, since a request during the wait only prolongs it.
 */
export interface RetryNotBefore {
  readonly retryAfterMs: number;
}

/** The wait an error (or an error it wraps, through `cause`) asks for, or undefined when it names none. */
export function retryAfterOf(error: unknown): number | undefined {
  for (let at = error, depth = 0; typeof at === "object" && at !== null && depth < 5; depth++) {
    const wait = (at as Partial<RetryNotBefore>).retryAfterMs;
    if (typeof wait === "number" && Number.isFinite(wait) && wait >= 0) return wait;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

export class PolicyRepoError extends Error {
  override name = "PolicyRepoError";
}

/** A compare-and-swap lost: re-read the branch, re-apply the edit, try again. */
export class HeadMovedError extends PolicyRepoError {
  override name = "HeadMovedError";
  constructor(
    readonly branch: string,
    readonly expected: string | null,
    readonly actual: string | null,
    options?: ErrorOptions,
  ) {
    super(
      `branch ${branch} is at ${actual ?? "(none)"}, expected ${expected ?? "(none)"}: ` +
        `someone else moved it; re-read it and apply the change again`,
      options,
    );
  }
}

export class MergeConflictError extends PolicyRepoError {
  override name = "MergeConflictError";
  constructor(
    readonly branch: string,
    readonly into: string,
    readonly paths: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `${branch} does not merge cleanly into ${into} (${paths.join(", ") || "conflict"}): ` +
        `rebuild the branch on ${into} and merge again`,
      options,
    );
  }
}

export class RefNotFoundError extends PolicyRepoError {
  override name = "RefNotFoundError";
  constructor(
    readonly ref: string,
    options?: ErrorOptions,
  ) {
    super(`${ref} does not exist in the policy repository: check the branch name or create it`, options);
  }
}
