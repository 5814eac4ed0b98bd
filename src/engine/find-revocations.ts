import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { PolicyTargets } from "../policy/targets/policy-targets.js";
import type { RevocationScope } from "../targets/target.js";

/** One target's share of what a new policy takes away from the one applied before it. */
export interface TargetRevocations {
  readonly scope: RevocationScope;
  /** Principals holding access under the previous policy: the mass-revocation guard's denominator. */
  readonly holders: number;
}

/**
 * Per target, the principals that lose anything between `previous` and `desired` (a permission, or a NATS
 * deny added) and the resources they held it on. Pure; empty when nothing is taken away.
 */
export function findRevocations(
  previous: EffectiveAccess,
  desired: EffectiveAccess,
  policyTargets: PolicyTargets,
): Map<string, TargetRevocations> {
  const found = new Map<string, TargetRevocations>();
  for (const part of policyTargets.parts) {
    const before = previous.targets.get(part.name);
    if (before === undefined) continue;
    const after = desired.targets.get(part.name);
    const principals = new Set<string>();
    const resources = new Map<string, { readonly kind: string; readonly name: string }>();
    for (const [principal, access] of before.principals) {
      const now = after?.principals.get(principal)?.grants ?? [];
      for (const change of part.diffGrants(principal, access.grants, now)) {
        if (change.lost.length === 0 && change.denyAdded.length === 0) continue;
        principals.add(principal);
        resources.set(`${change.resource.kind}\0${change.resource.name}`, change.resource);
      }
    }
    if (principals.size === 0) continue;
    found.set(part.name, {
      scope: { principals, resources: [...resources.values()] },
      holders: before.principals.size,
    });
  }
  return found;
}
