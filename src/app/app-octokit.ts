import { ProbotOctokit } from "probot";

/** plugin-retry's own list, plus what a retry cannot fix or must not repeat blindly (reference/github.md §3). */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 451, 405, 409, 422, 429];

/**
 * The Octokit class the App's Probot and its clients are built from, in the function form of `defaults`
 * (the object form loses `throttle`: reference/github.md §1):
 * - throttling off: `pacedClient` keeps content-creating requests under GitHub's 80 a minute without the
 *   throttle plugin's 1 s/3 s spacing, which would cost an emergency 5–8 s;
 * - retries on for 5xx and network failures, but not for 405 (not mergeable), 409 (head moved), 422 (not a
 *   fast-forward, a validation) and 429 (a secondary limit, waited out by the proposer's queue per its
 *   `retry-after`): each has a meaning the caller acts on.
 */
export const AppOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { enabled: false },
  retry: { ...(options["retry"] as Record<string, unknown> | undefined), doNotRetry: DO_NOT_RETRY },
}));

export type AppOctokit = InstanceType<typeof AppOctokit>;
