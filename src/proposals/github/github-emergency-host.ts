import type { PolicyRepo } from "../../repos/policy-repo.js";
import { HeadMovedError } from "../../repos/policy-repo.js";
import type { PullRequestHost } from "../../repos/pull-request-host.js";
import { identitiesNamed } from "../commit-message.js";
import type { EmergencyHost, EmergencyProposal } from "../emergency-host.js";
import { branchEmergencyHost, EMERGENCY_PREFIX, leftForReview } from "../emergency-host.js";
import { mergePinnedPullRequest } from "./merge-pinned-pull-request.js";
import { renderEmergencyBody } from "./render-emergency-body.js";

export const EMERGENCY_LABEL = "emergency-deprovision";

/**
 * Emergency proposals as GitHub pull requests (DESIGN §5, reference/github.md §4): a fresh branch holding
 * the revocation, a PR labelled `emergency-deprovision` that says what is revoked and what the proof found,
 * and a merge pinned to the proven head as main's `emergency.merge` says (`mergePinnedPullRequest`: 405 arms
 * auto-merge, 409 or main moving since the proof is `HeadMovedError`, so the proposer re-proposes).
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

  const afterOpen = (number: number): Promise<unknown> =>
    options.afterOpen?.(number).catch((error: unknown) => {
      options.warn?.(`after opening emergency pull request #${number}: ${String(error)}`);
    }) ?? Promise.resolve();

  const numberOf = async (proposal: EmergencyProposal): Promise<number | undefined> =>
    numbers.get(proposal.branch) ?? (await pulls.findOpen(proposal.branch))?.number;

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
      numbers.set(branch, number);
      await afterOpen(number);
      return { branch, head };
    },

    async resume({ branch, head }) {
      const number = await numberOf({ branch, head });
      if (number !== undefined) await afterOpen(number);
      return { branch, head };
    },

    async merge(proposal, request) {
      const number = await numberOf(proposal);
      if (number === undefined) throw new HeadMovedError(proposal.branch, proposal.head, null);
      const lines = request.message.split("\n");
      return mergePinnedPullRequest(
        repo,
        pulls,
        {
          number,
          branch: proposal.branch,
          head: proposal.head,
          base: request.base,
          title: lines[0] ?? `Merge pull request #${number}`,
          message: lines.slice(2).join("\n"),
        },
        request.mode,
      );
    },

    async discard(proposal) {
      const number = await numberOf(proposal).catch(() => undefined);
      if (number !== undefined) await pulls.close(number).catch(() => undefined);
      numbers.delete(proposal.branch);
      await repo.deleteBranch(proposal.branch, proposal.head).catch(() => undefined);
    },

    /**
     * Open PRs from emergency branches. Waiting: labelled, with auto-merge armed or a "Not merged" verdict;
     * one without its label is half-made (a crash between opening and labelling it), one with it complete.
     */
    async openProposals() {
      const open = await pulls.listOpen(repo.baseBranch, EMERGENCY_PREFIX);
      return Promise.all(
        open.map(async (pull) => {
          const { message } = await repo.readCommit(pull.head.sha);
          numbers.set(pull.head.branch, pull.number);
          const labelled = pull.labels.includes(EMERGENCY_LABEL);
          return {
            branch: pull.head.branch,
            head: pull.head.sha,
            identities: identitiesNamed(message),
            waiting: labelled && (pull.autoMerge || leftForReview(message)),
            complete: labelled,
          };
        }),
      );
    },
  };
}
