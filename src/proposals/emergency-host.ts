import type { LedgerChange } from "../ledger/ledger.js";
import type { FileChange, PolicyRepo } from "../repos/policy-repo.js";
import { identitiesNamed } from "./commit-message.js";
import type { Proof } from "./prove-revocation-only.js";

export interface EmergencyProposal {
  readonly branch: string;
  /** The commit that was proven; a merge is pinned to it. */
  readonly head: string;
}

/**
 * A proven proposal the host could not merge now and left open for the host to finish (GitHub auto-merge
 * armed, waiting on a required check or review). `reason` says what it waits for; it reaches `/healthz`.
 */
export interface EmergencyWaiting {
  readonly waiting: string;
}

/** An emergency proposal still open when the proposer starts: one that a crash or a restart left behind. */
export interface OpenEmergency extends EmergencyProposal {
  /** The identities whose revocation it holds, from its commit's trailers. */
  readonly identities: readonly { readonly type: LedgerChange["type"]; readonly id: string }[];
  /**
   * True when someone else finishes it: GitHub's auto-merge is armed, or it was left for a person's review
   * (not proven, or above the mass-revocation guard). False for one the bot was still working on.
   */
  readonly waiting: boolean;
  /**
   * True when it was fully opened (GitHub: a PR with its label), so a restart may finish it
   * (`InterruptedEmergencies`); false for a half-made one, which is closed.
   */
  readonly complete: boolean;
}

/**
 * Where an emergency proposal lives. Embedded mode (DESIGN §8) uses branches merged with a merge commit; a
 * GitHub host would open a labelled pull request and merge it the same way, behind the same three calls.
 */
export interface EmergencyHost {
  /** A fresh proposal named after `name` holding one commit on `base`. */
  open(request: {
    readonly name: string;
    readonly base: string;
    readonly changes: readonly FileChange[];
    readonly message: string;
    /** The verdict on these changes, for a host that shows it to people (a PR body). */
    readonly proof?: Proof;
  }): Promise<EmergencyProposal>;
  /**
   * Merges the proven head into the base branch, refused when either moved; resolves to the merge commit,
   * or to what it waits for when the host finishes the merge later. `mode` is main's `emergency.merge`.
   */
  merge(
    proposal: EmergencyProposal,
    request: { readonly base: string; readonly message: string; readonly mode: "direct" | "auto" },
  ): Promise<string | EmergencyWaiting>;
  /** Removes a proposal that will be opened again (a lost race, a failed merge). Never throws. */
  discard(proposal: EmergencyProposal): Promise<void>;
  /** Proposals open now, for the start-up look, so a restart never opens a second one for the same case. */
  openProposals(): Promise<OpenEmergency[]>;
  /**
   * Takes back an interrupted proposal from `openProposals` as if `open` had just made it (GitHub: posts
   * its checks again), for a restart that would otherwise open the same proposal a second time.
   */
  resume(proposal: OpenEmergency): Promise<EmergencyProposal>;
}

/** Its commit says it was left for a person (`runEmergency` writes "Not merged: …" into it). */
export function leftForReview(message: string): boolean {
  return /^Not merged: /m.test(message);
}

export const EMERGENCY_PREFIX = "scim-gitops/emergency/";

/** The branch name the proposal gets: `wanted`, or `wanted-2`, `-3`… when an earlier one is still there. */
export async function freshBranchName(repo: PolicyRepo, wanted: string): Promise<string> {
  if ((await repo.head(wanted)) === undefined) return wanted;
  for (let counter = 2; ; counter++) {
    const candidate = `${wanted}-${counter}`;
    if ((await repo.head(candidate)) === undefined) return candidate;
  }
}

export function branchEmergencyHost(repo: PolicyRepo): EmergencyHost {
  return {
    async open(request) {
      const branch = await freshBranchName(repo, `${EMERGENCY_PREFIX}${request.name}`);
      const head = await repo.commitFiles({
        branch,
        parent: request.base,
        changes: request.changes,
        message: request.message,
        update: { kind: "create" },
      });
      return { branch, head };
    },
    async merge(proposal, request) {
      const mergeCommit = await repo.merge({
        branch: proposal.branch,
        head: proposal.head,
        into: repo.baseBranch,
        message: request.message,
        expectedBase: request.base,
      });
      // The revocation is on main: a branch left behind is clutter, not a reason to merge again.
      await repo.deleteBranch(proposal.branch, proposal.head).catch(() => undefined);
      return mergeCommit;
    },
    async discard(proposal) {
      await repo.deleteBranch(proposal.branch, proposal.head).catch(() => undefined);
    },
    async openProposals() {
      const branches = await repo.listBranches(EMERGENCY_PREFIX);
      return Promise.all(
        branches.map(async ({ branch, head }) => {
          const { message } = await repo.readCommit(head);
          const waiting = leftForReview(message);
          return { branch, head, identities: identitiesNamed(message), waiting, complete: true };
        }),
      );
    },
    resume: ({ branch, head }) => Promise.resolve({ branch, head }),
  };
}
