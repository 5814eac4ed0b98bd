import { findGuardViolations, refusingFindings } from "../plan/guards.js";
import { findStaleness } from "../plan/saved-plan.js";
import { applyPlan } from "./apply-plan.js";
import type { ApplyOptions, PolicyInput } from "./engine-input.js";
import type { EngineOutcome } from "./engine-outcome.js";
import { makeFreshPlan } from "./plan-policy.js";

/**
 * `scim-gitops apply` and `serve --apply-on-merge`: plans afresh, then applies that plan or the saved one.
 * The guards judge the plan that would be applied; a saved plan is refused when the policy or the actual
 * state moved since it was made (Terraform's rule); a dry run stops before the first write.
 */
export async function applyPolicy(input: PolicyInput, options: ApplyOptions): Promise<EngineOutcome> {
  const fresh = await makeFreshPlan(input);
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
  const context = input.revision === undefined ? {} : { revision: input.revision };
  const results = await applyPlan(plan, input.targets, settings, context);
  return { kind: "applied", diagnostics, plan, results };
}
