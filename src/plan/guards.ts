import type { RevocationLimit, Settings } from "../policy/model/model.js";
import type { Plan, TargetName, TargetPlan } from "./plan.js";

export type GuardName = "mass-revocation" | "protected-principal";

/** A reason apply refuses a plan. Only the mass-revocation guard can be overridden, by a flag. */
export interface GuardFinding {
  readonly target: TargetName;
  readonly guard: GuardName;
  readonly message: string;
}

export interface GuardOptions {
  readonly allowMassRevocation: boolean;
}

/** Every guard finding of a plan, whether or not a flag would let it through. */
export function findGuardViolations(plan: Plan, settings: Settings): GuardFinding[] {
  return plan.targets.flatMap((target) => [
    ...protectedRevocations(target, settings),
    ...massRevocation(target, settings.guards),
  ]);
}

/** The findings that still stop an apply once the operator's flags are taken into account. */
export function refusingFindings(findings: readonly GuardFinding[], options: GuardOptions): GuardFinding[] {
  return findings.filter((finding) => finding.guard !== "mass-revocation" || !options.allowMassRevocation);
}

/** How many principals may lose access in one apply: the share of holders, but never under the minimum. */
export function allowedRevocations(holders: number, guards: Settings["guards"]): number {
  const limit: RevocationLimit = guards.maxRevocations;
  const share = "percent" in limit ? Math.floor((holders * limit.percent) / 100) : limit.count;
  return Math.max(guards.minRevocations, share);
}

function massRevocation(plan: TargetPlan, guards: Settings["guards"]): GuardFinding[] {
  const losing = new Set(plan.changes.filter((change) => change.narrows).map((change) => change.principal));
  const allowed = allowedRevocations(plan.holders, guards);
  if (losing.size <= allowed) return [];
  const share = plan.holders === 0 ? 100 : Math.round((losing.size * 100) / plan.holders);
  const limit =
    "percent" in guards.maxRevocations
      ? `${guards.maxRevocations.percent}%`
      : `${guards.maxRevocations.count}`;
  return [
    {
      target: plan.target,
      guard: "mass-revocation",
      message:
        `${plan.target}: ${losing.size} of ${plan.holders} principals holding access (${share}%) would lose some or all of it; ` +
        `at most ${allowed} may (guards.maxRevocations ${limit}, guards.minRevocations ${guards.minRevocations}). ` +
        `Check the plan; if it is intended, apply with --allow-mass-revocation`,
    },
  ];
}

function protectedRevocations(plan: TargetPlan, settings: Settings): GuardFinding[] {
  const protectedPrincipals = new Set(settings.targets.get(plan.target)?.protectedPrincipals ?? []);
  return plan.changes
    .filter((change) => change.narrows && protectedPrincipals.has(change.principal))
    .map((change) => ({
      target: plan.target,
      guard: "protected-principal" as const,
      message:
        `${plan.target}: the plan takes access away from protected principal ${change.principal} on ${change.resource}; ` +
        `protected principals are never revoked: remove it from ${plan.target}.protectedPrincipals first if that is really meant`,
    }));
}
