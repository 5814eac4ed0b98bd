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

/**
 * How long GitHub mode lets SCIM writes gather before a sync flush. A flush costs the same handful of
 * requests whatever it holds (about 9: tree, commit, ref, the PR's edit and the reads around them), so
 * fewer flushes is what keeps a trickle of writes cheap. Waiting costs nothing anyone notices: the sync PR
 * waits for a person's review anyway, and leavers do not wait at all (the emergency path is not debounced).
 * - 10 s of quiet gathers what an IdP sends for one person (the user, then each group membership, seconds
 *   apart) into one commit;
 * - a steady stream still reaches the PR within 60 s, and a flush a minute is a few content-creating
 *   requests of GitHub's 80 a minute and about 540 requests of the installation's 5,000 an hour, leaving
 *   the rest for emergencies and checks.
 */
export const GITHUB_DEBOUNCE_MS = 10_000;
export const GITHUB_MAX_WAIT_MS = 60_000;

export interface GitHubProposals {
  readonly repo: GitHubPolicyRepo;
  readonly pulls: GitHubPullRequests;
  readonly checks: PullRequestChecks;
  /**
   * Spread into startProposer's options: repo, emergencyHost (gitHubEmergencyHost), afterSync
   * (SyncPullRequest), and GitHub mode's batching (GITHUB_DEBOUNCE_MS, GITHUB_MAX_WAIT_MS), which options
   * given after the spread still override.
   */
  readonly proposer: Pick<
    ProposerOptions,
    "repo" | "emergencyHost" | "afterSync" | "debounceMs" | "maxWaitMs"
  >;
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
      debounceMs: GITHUB_DEBOUNCE_MS,
      maxWaitMs: GITHUB_MAX_WAIT_MS,
    },
  };
}
