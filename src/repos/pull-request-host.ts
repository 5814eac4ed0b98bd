/**
 * Where proposals become pull requests (DESIGN §5, issue 12): the port beside `PolicyRepo` for hosts whose
 * main is protected, so changes land through a reviewed PR instead of a branch merge. The git mode has no
 * such host and keeps merging its branches itself.
 *
 * Every merge is pinned to the head that was proven: a push after the proof is never merged.
 */
import { PolicyRepoError } from "./policy-repo.js";

export interface PullRequest {
  readonly number: number;
  /** GitHub's global id, which the GraphQL auto-merge mutations take. */
  readonly nodeId: string;
  readonly url: string;
  readonly state: "open" | "closed";
  readonly merged: boolean;
  readonly title: string;
  readonly body: string;
  readonly head: { readonly branch: string; readonly sha: string };
  readonly base: { readonly branch: string };
  readonly labels: readonly string[];
  /** True while GitHub auto-merge is armed on it. */
  readonly autoMerge: boolean;
}

/**
 * Whether the host would merge the PR now, as GitHub answers it: `mergeable` is undefined while GitHub is
 * still computing it. `state` is GitHub's `mergeable_state` (`clean`, `blocked`, `behind`, `dirty`,
 * `unstable`, `unknown`, …): only `clean` and `unstable` merge without waiting.
 */
export interface Mergeability {
  readonly mergeable: boolean | undefined;
  readonly state: string;
  readonly headSha: string;
}

export interface OpenPullRequest {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
}

export interface PinnedMerge {
  readonly number: number;
  /** The head that was reviewed or proven. */
  readonly sha: string;
  readonly title: string;
  readonly message: string;
}

/** `armed`: GitHub merges once the required checks pass; `already-mergeable`: merge it directly now. */
export type AutoMergeOutcome = "armed" | "already-mergeable";

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "action_required";

export interface CheckRunReport {
  readonly name: string;
  readonly headSha: string;
  readonly status: CheckStatus;
  /** Required when `status` is `completed`. */
  readonly conclusion?: CheckConclusion;
  readonly title: string;
  /** Markdown; cut to GitHub's 65,535-character limit with a note saying so. */
  readonly summary: string;
}

export interface CheckRun {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly status: CheckStatus;
  readonly conclusion: CheckConclusion | undefined;
}

export interface PullRequestHost {
  /** The open PR from `head`, so a restarted bot finds its PR again instead of opening a second one. */
  findOpen(head: string): Promise<PullRequest | undefined>;
  get(number: number): Promise<PullRequest>;
  /** Every open PR into `base` whose head branch starts with `headPrefix`, oldest first. */
  listOpen(base: string, headPrefix: string): Promise<PullRequest[]>;
  open(request: OpenPullRequest): Promise<PullRequest>;
  update(number: number, change: { readonly title?: string; readonly body?: string }): Promise<PullRequest>;
  /** Closes it unmerged (a discarded proposal); closing a closed PR is fine. */
  close(number: number): Promise<void>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  labels(number: number): Promise<string[]>;
  /** Merge commit of the pinned head; `PullRequestNotMergeableError` or `HeadMovedError`, never retried. */
  merge(request: PinnedMerge): Promise<string>;
  /** Arms auto-merge (merge commit) pinned to `sha`; `already-mergeable` when GitHub says it needs none. */
  enableAutoMerge(request: PinnedMerge): Promise<AutoMergeOutcome>;
  disableAutoMerge(number: number): Promise<void>;
  mergeability(number: number): Promise<Mergeability>;
  createCheckRun(report: CheckRunReport): Promise<CheckRun>;
  updateCheckRun(id: number, report: CheckRunReport): Promise<CheckRun>;
  /** Check runs on a commit, optionally only those called `name`, newest first. */
  listCheckRuns(sha: string, name?: string): Promise<CheckRun[]>;
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

/** The repository does not allow auto-merge; an admin turns on "Allow auto-merge" in its settings. */
export class AutoMergeNotAllowedError extends PolicyRepoError {
  override name = "AutoMergeNotAllowedError";
  constructor(
    readonly number: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `auto-merge cannot be enabled on pull request #${number} (${reason}): turn on "Allow auto-merge" ` +
        `in the policy repository's settings, or set emergency.merge to direct`,
      options,
    );
  }
}

export class PullRequestNotFoundError extends PolicyRepoError {
  override name = "PullRequestNotFoundError";
  constructor(
    readonly number: number,
    options?: ErrorOptions,
  ) {
    super(`pull request #${number} does not exist in the policy repository: check its number`, options);
  }
}
