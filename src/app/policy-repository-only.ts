import type { Context } from "probot";
import type { AppDependencies } from "./app-dependencies.js";

/**
 * Whether a webhook is about the policy repository. An App may be installed on more repositories than
 * POLICY_REPO (an organisation-wide installation); events from the others are ignored, with a debug line
 * saying so. GitHub's owner and repository names are case-insensitive.
 */
export function isForPolicyRepository(context: Context, deps: AppDependencies): boolean {
  const payload = context.payload as { repository?: { full_name?: unknown } };
  const fullName = payload.repository?.full_name;
  const wanted = `${deps.owner}/${deps.repo}`;
  if (typeof fullName === "string" && fullName.toLowerCase() === wanted.toLowerCase()) return true;
  context.log.debug(
    `ignoring ${context.name} ${context.id}: it is for ${typeof fullName === "string" ? fullName : "no repository"}, ` +
      `not POLICY_REPO ${wanted}`,
  );
  return false;
}
