import type { Probot } from "probot";
import type { AppDependencies } from "./app-dependencies.js";
import { isForPolicyRepository } from "./policy-repository-only.js";

/** What can change a PR's verdict: a new head, or the `emergency-deprovision` label coming or going. */
const CHECKED_ACTIONS: (
  | "pull_request.opened"
  | "pull_request.synchronize"
  | "pull_request.reopened"
  | "pull_request.labeled"
  | "pull_request.unlabeled"
)[] = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.labeled",
  "pull_request.unlabeled",
];

/** Queues `revocation-guard` and `access-diff` on the PR's head whenever its verdict may have changed. */
export function onPullRequest(app: Probot, deps: AppDependencies): void {
  app.on(CHECKED_ACTIONS, (context) => {
    if (!isForPolicyRepository(context, deps)) return;
    deps.checkPullRequest(context.payload.pull_request.number);
  });
}
