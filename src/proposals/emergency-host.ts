import type { FileChange, PolicyRepo } from "../repos/policy-repo.js";

export interface EmergencyProposal {
  readonly branch: string;
  /** The commit that was proven; a merge is pinned to it. */
  readonly head: string;
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
  }): Promise<EmergencyProposal>;
  /** Merges the proven head into the base branch, refused when either moved; resolves to the merge commit. */
  merge(
    proposal: EmergencyProposal,
    request: { readonly base: string; readonly message: string },
  ): Promise<string>;
  /** Removes a proposal that will be opened again (a lost race, a failed merge). Never throws. */
  discard(proposal: EmergencyProposal): Promise<void>;
}

export const EMERGENCY_PREFIX = "scim-gitops/emergency/";

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
  };
}

async function freshBranchName(repo: PolicyRepo, wanted: string): Promise<string> {
  if ((await repo.head(wanted)) === undefined) return wanted;
  for (let counter = 2; ; counter++) {
    const candidate = `${wanted}-${counter}`;
    if ((await repo.head(candidate)) === undefined) return candidate;
  }
}
