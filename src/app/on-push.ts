import type { Probot } from "probot";
import type { AppDependencies } from "./app-dependencies.js";
import { isForPolicyRepository } from "./policy-repository-only.js";

/**
 * A push to the base branch (a person merging, or the App's own emergency merge) tells the proposer main
 * may have moved, so the sync PR is rebuilt on it now; its poll stays as the fallback for lost webhooks.
 * Pushes to other branches (the sync and emergency branches included) say nothing about main.
 */
export function onPush(app: Probot, deps: AppDependencies): void {
  app.on("push", (context) => {
    if (!isForPolicyRepository(context, deps)) return;
    if (context.payload.ref !== `refs/heads/${deps.baseBranch}`) {
      context.log.debug(`ignoring push ${context.id} to ${context.payload.ref}: not ${deps.baseBranch}`);
      return;
    }
    deps.mainMayHaveMoved();
  });
}
