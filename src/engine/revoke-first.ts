import { findGuardViolations } from "../plan/guards.js";
import type { TargetPlan } from "../plan/plan.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Settings } from "../policy/model/model.js";
import type { PolicyTargets } from "../policy/targets/policy-targets.js";
import type { ApplyContext } from "../targets/target.js";
import type { OpenTarget } from "./engine-input.js";
import { findRevocations } from "./find-revocations.js";

export interface RevokeFirstInput {
  readonly targets: readonly OpenTarget[];
  readonly settings: Settings;
  readonly desired: EffectiveAccess;
  /** The access the policy applied last time gave. */
  readonly previous: EffectiveAccess;
  readonly policyTargets: PolicyTargets;
  readonly context: ApplyContext;
  readonly notice: (text: string) => void;
}

/**
 * Before the full plan of a policy that takes access away from the one applied before it (a leaver's
 * emergency merge): read only what those principals held, and revoke that. On a cluster of thousands of
 * namespaces this is a handful of reads, not thousands, so the leaver is cut in well under a second; the
 * full plan that follows reads everything and catches the rest (drift, grants elsewhere). The guards judge
 * this pass against the previous policy's holders; anything they refuse, or any failure, is left to the
 * full pass, which judges and reports it as ever. What it did is told through `notice`.
 */
export async function revokeFirst(input: RevokeFirstInput): Promise<void> {
  const { settings, desired, notice } = input;
  const revocations = findRevocations(input.previous, desired, input.policyTargets);
  for (const { target, connection } of input.targets) {
    const revoked = revocations.get(target.name);
    if (revoked === undefined || !target.isManaged(settings)) continue;
    const { scope } = revoked;
    try {
      const actual: unknown = await target.readActual(connection, settings, scope);
      const full = target.plan(onlyFor(desired, target.name, scope.principals), settings, actual);
      const plan: TargetPlan = {
        ...full,
        holders: Math.max(full.holders, revoked.holders),
        changes: full.changes.filter((change) => change.narrows && scope.principals.has(change.principal)),
      };
      if (plan.changes.length === 0) continue;
      const refused = findGuardViolations(
        { formatVersion: 1, policyTree: null, createdAt: "", targets: [plan] },
        settings,
      );
      if (refused.length > 0) {
        notice(`revoking first on ${target.name}: left to the full apply: ${refused[0]?.message ?? ""}`);
        continue;
      }
      const result = await target.apply(connection, plan, settings, input.context);
      const failed = result.results.filter((each) => !each.ok).length;
      notice(
        `revoked first on ${target.name}: ${plan.changes.length - failed} change(s) for ${scope.principals.size} principal(s) applied, ${failed} failed (the full apply follows)`,
      );
      for (const item of result.evidence) notice(`revoked first on ${target.name}: evidence: ${item}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      notice(`revoking first on ${target.name} failed (the full apply follows): ${message}`);
    }
  }
}

/**
 * The desired access with one target's principals narrowed to `principals`, so its plan does not compare
 * (or propose grants for) everyone else; their changes would be dropped anyway.
 */
function onlyFor(desired: EffectiveAccess, target: string, principals: ReadonlySet<string>): EffectiveAccess {
  const access = desired.targets.get(target);
  if (access === undefined) return desired;
  const kept = new Map(
    [...principals].flatMap((principal) => {
      const held = access.principals.get(principal);
      return held === undefined ? [] : [[principal, held] as const];
    }),
  );
  return { ...desired, targets: new Map(desired.targets).set(target, { ...access, principals: kept }) };
}
