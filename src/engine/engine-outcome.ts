import type { GuardFinding } from "../plan/guards.js";
import type { Plan, TargetApplyResult } from "../plan/plan.js";
import type { Diagnostic } from "../policy/model/model.js";

/**
 * Every way a plan or an apply ends that a caller has to tell a person about: the closed set a CLI maps to
 * exit codes and the service to log lines. Only what is truly exceptional (a target unreachable while
 * reading) is thrown instead. Each carries the policy's diagnostics, warnings included.
 */
export type EngineOutcome = PolicyInvalid | RefusedByGuards | StaleSavedPlan | Planned | Applied;

/** The policy has errors: nothing was read from any target, since a plan from a half-read policy would revoke. */
export interface PolicyInvalid {
  readonly kind: "policy-invalid";
  readonly diagnostics: readonly Diagnostic[];
}

/** A guard stops the plan (protected principals, or a mass revocation without the flag): nothing was written. */
export interface RefusedByGuards {
  readonly kind: "refused";
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: Plan;
  readonly refusals: readonly GuardFinding[];
}

/** The saved plan no longer matches the policy or the targets' actual state: nothing was written. */
export interface StaleSavedPlan {
  readonly kind: "stale";
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: Plan;
  readonly reasons: readonly string[];
}

/** A plan (or a dry run): every guard finding, including those a flag would let through. */
export interface Planned {
  readonly kind: "planned";
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: Plan;
  readonly guards: readonly GuardFinding[];
}

/** The plan was performed: one result per target of the plan, every change's result and the evidence. */
export interface Applied {
  readonly kind: "applied";
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: Plan;
  readonly results: readonly TargetApplyResult[];
}
