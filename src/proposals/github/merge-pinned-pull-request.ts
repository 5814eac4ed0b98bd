import type { PolicyRepo } from "../../repos/policy-repo.js";
import { HeadMovedError } from "../../repos/policy-repo.js";
import type { PinnedMerge, PullRequestHost } from "../../repos/pull-request-host.js";
import { AutoMergeNotAllowedError, PullRequestNotMergeableError } from "../../repos/pull-request-host.js";
import type { EmergencyWaiting } from "../emergency-host.js";

export interface ProvenPullRequest {
  readonly number: number;
  readonly branch: string;
  /** The head that was proven; the merge is pinned to it. */
  readonly head: string;
  /** The base branch's head the proof was made against. */
  readonly base: string;
  /** The merge commit's subject. */
  readonly title: string;
  /** The merge commit's body and trailers; its `Emergency-Merge:` trailer says what GitHub was asked to do. */
  readonly message: string;
}

/**
 * Merges a pull request proven revocation-only as main's `emergency.merge` says (DESIGN §5, reference/
 * github.md §4), for the App's own emergency PRs and the expiry PR alike:
 *
 * - `direct`: a pinned merge. GitHub's 405 (a required check or review is missing) is not retried: auto-merge
 *   is armed instead so GitHub merges once the rules are met, or, when the repository does not allow
 *   auto-merge, the PR stays open and this reports it waiting.
 * - `auto`: auto-merge armed at the proven head; when GitHub answers the PR is already mergeable (no check
 *   pending), a direct pinned merge. A repository without auto-merge gets the direct merge too: GitHub
 *   still enforces its branch rules on it.
 * - 409 (the head moved) is `HeadMovedError`, and so is main having moved since the proof: GitHub merges on
 *   its side and cannot be pinned to the base, so the caller proves again on the new main instead.
 *
 * Resolves to the merge commit, or to what the PR waits for. Once merged, the branch is deleted.
 */
export async function mergePinnedPullRequest(
  repo: PolicyRepo,
  pulls: PullRequestHost,
  proven: ProvenPullRequest,
  mode: "direct" | "auto",
): Promise<string | EmergencyWaiting> {
  const main = await repo.head(repo.baseBranch);
  if (main !== proven.base) throw new HeadMovedError(repo.baseBranch, proven.base, main ?? null);
  const pinned = (how: string): PinnedMerge => ({
    number: proven.number,
    sha: proven.head,
    title: proven.title,
    message: withMergeMode(proven.message, how),
  });
  const mergeNow = async (request: PinnedMerge): Promise<string> => {
    const commit = await pulls.merge(request);
    // The change is on main: a branch left behind is clutter, not a reason to merge again.
    await repo.deleteBranch(proven.branch, proven.head).catch(() => undefined);
    return commit;
  };

  if (mode === "auto") {
    try {
      const outcome = await pulls.enableAutoMerge(pinned("auto (GitHub auto-merge)"));
      if (outcome === "armed") {
        return { waiting: "auto-merge is armed: GitHub merges it once the required checks pass" };
      }
      return await mergeNow(pinned("auto (already mergeable: merged directly)"));
    } catch (error) {
      if (!(error instanceof AutoMergeNotAllowedError)) throw error;
      return await mergeNow(pinned("auto (auto-merge not allowed: merged directly)"));
    }
  }
  try {
    return await mergeNow(pinned("direct"));
  } catch (error) {
    if (!(error instanceof PullRequestNotMergeableError)) throw error;
    const request = pinned("direct (GitHub refused the merge: auto-merge)");
    try {
      // The check turned green between the refusal and now: GitHub wants the merge done directly.
      if ((await pulls.enableAutoMerge(request)) === "already-mergeable") return await mergeNow(request);
      return {
        waiting: `${error.reason}; auto-merge is armed, GitHub merges it once the branch rules pass`,
      };
    } catch (armError) {
      if (!(armError instanceof AutoMergeNotAllowedError)) throw armError;
      return {
        waiting: `${error.reason}; the repository does not allow auto-merge, so it waits for a person`,
      };
    }
  }
}

/** The proposer writes the trailer for a host that merges itself; this says what GitHub was asked to do. */
function withMergeMode(message: string, mode: string): string {
  return message.replace(/^Emergency-Merge: .*$/m, `Emergency-Merge: ${mode}`);
}
