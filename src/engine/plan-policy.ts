import { findGuardViolations } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { hashPolicyTree } from "../plan/policy-tree.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Diagnostic, Settings } from "../policy/model/model.js";
import { compilePolicyFiles } from "./compile-policy-files.js";
import type { PolicyInput } from "./engine-input.js";
import type { Planned, PolicyInvalid } from "./engine-outcome.js";
import { planTargets } from "./plan-targets.js";

/** A fresh plan with what it was made from, for the apply that follows. */
export interface FreshPlan {
  readonly valid: true;
  readonly diagnostics: readonly Diagnostic[];
  readonly settings: Settings;
  readonly plan: Plan;
}

/**
 * `scim-gitops plan`: validates the policy, reads every managed target's actual state and compares. A
 * policy with errors reads nothing. Every guard finding is returned, whether or not a flag would pass it.
 */
export async function planPolicy(input: PolicyInput): Promise<PolicyInvalid | Planned> {
  const fresh = await makeFreshPlan(input);
  if (!fresh.valid) return { kind: "policy-invalid", diagnostics: fresh.diagnostics };
  const { plan, diagnostics, settings } = fresh;
  return { kind: "planned", diagnostics, plan, guards: findGuardViolations(plan, settings) };
}

/**
 * Compiles, then reads every target and compares. `beforeReading` runs once the policy is known valid, before
 * the first read (apply's revocation-first pass).
 */
export async function makeFreshPlan(
  input: PolicyInput,
  beforeReading?: (settings: Settings, desired: EffectiveAccess) => Promise<void>,
): Promise<FreshPlan | { readonly valid: false; readonly diagnostics: readonly Diagnostic[] }> {
  const compiled = compilePolicyFiles(input);
  if (!compiled.valid) return compiled;
  const { settings, desired, diagnostics } = compiled;
  await beforeReading?.(settings, desired);
  const plan: Plan = {
    formatVersion: 1,
    policyTree: hashPolicyTree(input.files),
    createdAt: input.now.toISOString(),
    targets: await planTargets(input.targets, desired, settings, input.notice),
  };
  return { valid: true, diagnostics, settings, plan };
}
