import { findGuardViolations, refusingFindings } from "../plan/guards.js";
import { findStaleness } from "../plan/saved-plan.js";
import { applyPlan } from "./apply-plan.js";
import type { ApplyOptions, PolicyInput } from "./engine-input.js";
import type { EngineOutcome } from "./engine-outcome.js";
import { makeFreshPlan } from "./plan-policy.js";
import { revokeFirst } from "./revoke-first.js";

/**
 * `scim-gitops apply` and `serve --apply-on-merge`: plans afresh, then applies that plan or the saved one.
 * The guards judge the plan that would be applied; a saved plan is refused when the policy or the actual
 * state moved since it was made (Terraform's rule); a dry run stops before the first write. Given the access
 * applied before, it first revokes what the policy takes away from it (`revokeFirst`), then plans the whole.
 */
export async function applyPolicy(input: PolicyInput, options: ApplyOptions): Promise<EngineOutcome> {
  const { previous } = options;
  const context = input.revision === undefined ? {} : { revision: input.revision };
  const fresh = await makeFreshPlan(
    input,
    previous === undefined || options.dryRun || options.savedPlan !== undefined
      ? undefined
      : (settings, desired) =>
          revokeFirst({
            targets: input.targets,
            settings,
            desired,
            previous,
            policyTargets: input.policyTargets,
            context,
            notice: input.notice,
          }),
  );
  if (!fresh.valid) return { kind: "policy-invalid", diagnostics: fresh.diagnostics };
  const { diagnostics, settings } = fresh;
  const plan = options.savedPlan ?? fresh.plan;
  const guards = findGuardViolations(plan, settings);
  const refusals = refusingFindings(guards, options);
  if (refusals.length > 0) return { kind: "refused", diagnostics, plan, refusals };
  if (options.savedPlan !== undefined) {
    const reasons = findStaleness(options.savedPlan, fresh.plan);
    if (reasons.length > 0) return { kind: "stale", diagnostics, plan, reasons };
  }
  if (options.dryRun) return { kind: "planned", diagnostics, plan, guards };
  options.beforeApply?.(plan);
  const results = await applyPlan(plan, input.targets, settings, context);
  return { kind: "applied", diagnostics, plan, results };
}
