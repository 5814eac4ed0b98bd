import { GitHubPolicyRepo } from "../../repos/github/github-policy-repo.js";
import { GitHubPullRequests } from "../../repos/github/github-pull-requests.js";
import type { GitHubGraphqlClient } from "../../repos/github/github-request.js";
import type { ProposerOptions } from "../proposer.js";
import { gitHubEmergencyHost } from "./github-emergency-host.js";
import { PullRequestChecks } from "./pull-request-checks.js";
import { SyncPullRequest } from "./sync-pull-request.js";

export interface GitHubProposalsOptions {
  /** Installation-authenticated; the caller paces it (`pacedClient`). */
  readonly client: GitHubGraphqlClient;
  readonly owner: string;
  readonly repo: string;
  readonly baseBranch: string;
  /** DESIGN §9 `POLICY_DIR`. */
  readonly policyDir: string;
  readonly now?: () => Date;
  /** Where steps that do not fail the proposal (checks posted after an emergency PR opens) report. */
  readonly warn?: (message: string) => void;
}

export interface GitHubProposals {
  readonly repo: GitHubPolicyRepo;
  readonly pulls: GitHubPullRequests;
  readonly checks: PullRequestChecks;
  /** Spread into startProposer's options: repo, emergencyHost (gitHubEmergencyHost), afterSync (SyncPullRequest). */
  readonly proposer: Pick<ProposerOptions, "repo" | "emergencyHost" | "afterSync">;
}

/**
 * GitHub mode's proposals side in one place (DESIGN §5, §8): the policy repository through the git data
 * API, pull requests, the App's checks, the one sync PR kept up to date after each flush, and emergency
 * PRs that get their checks as soon as they open so a required `revocation-guard` never holds the merge.
 */
export function gitHubProposals(options: GitHubProposalsOptions): GitHubProposals {
  const { client, owner, baseBranch, policyDir } = options;
  const now = options.now ?? (() => new Date());
  const repo = new GitHubPolicyRepo({ client, owner, repo: options.repo, baseBranch });
  const pulls = new GitHubPullRequests(client, { owner, repo: options.repo });
  const checks = new PullRequestChecks({ repo, pulls, policyDir, now });
  const syncPull = new SyncPullRequest({ repo, pulls, policyDir, now });
  const emergencyHost = gitHubEmergencyHost({
    repo,
    pulls,
    afterOpen: (number) => checks.check(number),
    ...(options.warn === undefined ? {} : { warn: options.warn }),
  });
  return {
    repo,
    pulls,
    checks,
    proposer: {
      repo,
      emergencyHost,
      afterSync: async (result) => {
        await syncPull.afterFlush(result);
      },
    },
  };
}
