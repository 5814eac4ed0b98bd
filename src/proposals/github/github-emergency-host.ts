import type { PolicyRepo } from "../../repos/policy-repo.js";
import { HeadMovedError } from "../../repos/policy-repo.js";
import type { PinnedMerge, PullRequestHost } from "../../repos/pull-request-host.js";
import { AutoMergeNotAllowedError, PullRequestNotMergeableError } from "../../repos/pull-request-host.js";
import { identitiesNamed } from "../commit-message.js";
import type { EmergencyHost, EmergencyProposal, EmergencyWaiting } from "../emergency-host.js";
import { branchEmergencyHost, EMERGENCY_PREFIX, leftForReview } from "../emergency-host.js";
import { renderEmergencyBody } from "./render-emergency-body.js";

export const EMERGENCY_LABEL = "emergency-deprovision";

/**
 * Emergency proposals as GitHub pull requests (DESIGN §5, reference/github.md §4): a fresh branch holding
 * the revocation, a PR labelled `emergency-deprovision` that says what is revoked and what the proof found,
 * and a merge pinned to the proven head as main's `emergency.merge` says.
 *
 * - `direct`: a pinned merge. GitHub's 405 (a required check or review is missing) is not retried: auto-merge
 *   is armed instead so GitHub merges once the rules are met, or, when the repository does not allow
 *   auto-merge, the PR stays open and the proposal reports it waiting.
 * - `auto`: auto-merge armed at the proven head; when GitHub answers the PR is already mergeable (no check
 *   pending), a direct pinned merge. A repository without auto-merge gets the direct merge too: GitHub
 *   still enforces its branch rules on it.
 * - 409 (the head moved) becomes `HeadMovedError`, and so does main moving since the proof: GitHub merges
 *   on its side and cannot be pinned to the base, so the proposer re-proposes on the new main instead.
 */
export function gitHubEmergencyHost(options: {
  readonly repo: PolicyRepo;
  readonly pulls: PullRequestHost;
  /**
   * Runs once the PR is open and labelled, before the merge (the App posts its checks here, so a required
   * `revocation-guard` does not hold the merge until a webhook arrives). A failure is only reported: the
   * PR is open, and opening a second one would be worse than a merge that waits for the webhook's check.
   */
  readonly afterOpen?: (number: number) => Promise<unknown>;
  readonly warn?: (message: string) => void;
}): EmergencyHost {
  const { repo, pulls } = options;
  // The branch and its one commit are made as in embedded mode; only merging goes through a pull request.
  const branchProposals = branchEmergencyHost(repo);
  const numbers = new Map<string, number>();

  const numberOf = async (proposal: EmergencyProposal): Promise<number | undefined> =>
    numbers.get(proposal.branch) ?? (await pulls.findOpen(proposal.branch))?.number;

  const mergePinned = async (proposal: EmergencyProposal, pinned: PinnedMerge): Promise<string> => {
    const commit = await pulls.merge(pinned);
    // The revocation is on main: a branch left behind is clutter, not a reason to merge again.
    await repo.deleteBranch(proposal.branch, proposal.head).catch(() => undefined);
    return commit;
  };

  const armOrWait = async (
    proposal: EmergencyProposal,
    pinned: PinnedMerge,
    refused: string,
  ): Promise<string | EmergencyWaiting> => {
    try {
      const outcome = await pulls.enableAutoMerge(pinned);
      // The check turned green between the refusal and now: GitHub wants the merge done directly.
      if (outcome === "already-mergeable") return await mergePinned(proposal, pinned);
      return { waiting: `${refused}; auto-merge is armed, GitHub merges it once the branch rules pass` };
    } catch (error) {
      if (!(error instanceof AutoMergeNotAllowedError)) throw error;
      return { waiting: `${refused}; the repository does not allow auto-merge, so it waits for a person` };
    }
  };

  return {
    async open(request) {
      const { branch, head } = await branchProposals.open(request);
      let number: number | undefined;
      try {
        number = (
          await pulls.open({
            head: branch,
            base: repo.baseBranch,
            title: request.message.split("\n", 1)[0] ?? branch,
            body: renderEmergencyBody(request),
          })
        ).number;
        await pulls.addLabels(number, [EMERGENCY_LABEL]);
      } catch (error) {
        // The next attempt opens a fresh proposal: this half-made one (no PR, or one without its label)
        // must not stay open beside it. A PR GitHub made before failing the answer is found by its head.
        number ??= await pulls.findOpen(branch).then(
          (pull) => pull?.number,
          () => undefined,
        );
        if (number !== undefined) await pulls.close(number).catch(() => undefined);
        await repo.deleteBranch(branch, head).catch(() => undefined);
        throw error;
      }
      const pull = { number };
      numbers.set(branch, pull.number);
      await options.afterOpen?.(pull.number).catch((error: unknown) => {
        options.warn?.(`after opening emergency pull request #${pull.number}: ${String(error)}`);
      });
      return { branch, head };
    },

    async merge(proposal, request) {
      const number = await numberOf(proposal);
      if (number === undefined) throw new HeadMovedError(proposal.branch, proposal.head, null);
      const main = await repo.head(repo.baseBranch);
      if (main !== request.base) throw new HeadMovedError(repo.baseBranch, request.base, main ?? null);
      const pinned = (mode: string): PinnedMerge => ({
        number,
        sha: proposal.head,
        title: request.message.split("\n", 1)[0] ?? `Merge pull request #${number}`,
        message: withMergeMode(request.message.split("\n").slice(2).join("\n"), mode),
      });
      if (request.mode === "auto") {
        try {
          const outcome = await pulls.enableAutoMerge(pinned("auto (GitHub auto-merge)"));
          if (outcome === "armed") {
            return { waiting: "auto-merge is armed: GitHub merges it once the required checks pass" };
          }
          return await mergePinned(proposal, pinned("auto (already mergeable: merged directly)"));
        } catch (error) {
          if (!(error instanceof AutoMergeNotAllowedError)) throw error;
          return await mergePinned(proposal, pinned("auto (auto-merge not allowed: merged directly)"));
        }
      }
      try {
        return await mergePinned(proposal, pinned("direct"));
      } catch (error) {
        if (!(error instanceof PullRequestNotMergeableError)) throw error;
        return await armOrWait(
          proposal,
          pinned("direct (GitHub refused the merge: auto-merge)"),
          error.reason,
        );
      }
    },

    async discard(proposal) {
      const number = await numberOf(proposal).catch(() => undefined);
      if (number !== undefined) await pulls.close(number).catch(() => undefined);
      numbers.delete(proposal.branch);
      await repo.deleteBranch(proposal.branch, proposal.head).catch(() => undefined);
    },

    /**
     * Open PRs from emergency branches. Waiting: labelled, with auto-merge armed or a "Not merged" verdict;
     * one without its label is half-made (a crash between opening and labelling it).
     */
    async openProposals() {
      const open = await pulls.listOpen(repo.baseBranch, EMERGENCY_PREFIX);
      return Promise.all(
        open.map(async (pull) => {
          const { message } = await repo.readCommit(pull.head.sha);
          numbers.set(pull.head.branch, pull.number);
          return {
            branch: pull.head.branch,
            head: pull.head.sha,
            identities: identitiesNamed(message),
            waiting: pull.labels.includes(EMERGENCY_LABEL) && (pull.autoMerge || leftForReview(message)),
          };
        }),
      );
    },
  };
}

/** The proposer writes the trailer for a host that merges itself; this says what GitHub was asked to do. */
function withMergeMode(message: string, mode: string): string {
  return message.replace(/^Emergency-Merge: .*$/m, `Emergency-Merge: ${mode}`);
}
