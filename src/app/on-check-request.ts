import type { Probot } from "probot";
import { ACCESS_DIFF_CHECK, REVOCATION_GUARD_CHECK } from "../proposals/github/pull-request-checks.js";
import type { AppDependencies } from "./app-dependencies.js";
import { isForPolicyRepository } from "./policy-repository-only.js";

const OUR_CHECKS: ReadonlySet<string> = new Set([REVOCATION_GUARD_CHECK, ACCESS_DIFF_CHECK]);

/**
 * GitHub asking for checks: a check suite requested (a push) or re-requested ("Re-run all checks"), or one
 * of the App's own runs re-requested ("Re-run"). Each pull request at that head is checked again; a
 * re-run of another App's or a workflow's check is not ours to answer.
 */
export function onCheckRequest(app: Probot, deps: AppDependencies): void {
  app.on(["check_suite.requested", "check_suite.rerequested"], (context) => {
    if (!isForPolicyRepository(context, deps)) return;
    for (const pull of context.payload.check_suite.pull_requests) deps.checkPullRequest(pull.number);
  });
  app.on("check_run.rerequested", (context) => {
    if (!isForPolicyRepository(context, deps)) return;
    const run = context.payload.check_run;
    if (!OUR_CHECKS.has(run.name)) {
      context.log.debug(`ignoring check_run ${context.id}: ${run.name} is not one of the App's checks`);
      return;
    }
    for (const pull of run.pull_requests) deps.checkPullRequest(pull.number);
  });
}
