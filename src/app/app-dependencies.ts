/** What the App's webhook handlers act on; `serve` wires them to the running proposer and check queue. */
export interface AppDependencies {
  /** POLICY_REPO: events for any other repository are ignored. */
  readonly owner: string;
  readonly repo: string;
  /** POLICY_BASE_BRANCH. */
  readonly baseBranch: string;
  /** A push to the base branch: the proposer looks at main now rather than at its next poll. */
  mainMayHaveMoved(): void;
  /** Queues the App's checks on a pull request; returns at once, the work runs off the webhook. */
  checkPullRequest(number: number): void;
}
