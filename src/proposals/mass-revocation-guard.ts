import type { AccessDiff } from "../policy/diff/access-change.js";
import type { Settings } from "../policy/model/model.js";
import { allowedRevocations } from "../plan/guards.js";

/** Principals holding any access on main, per target: the base the guard's share is taken of. */
export type HoldersByTarget = ReadonlyMap<string, number>;

export interface MassRevocation {
  readonly target: string;
  readonly losing: number;
  readonly holders: number;
  readonly allowed: number;
  /** Counts and settings only: it is shown in `/healthz`, the log and the commit message. */
  readonly reason: string;
}

/**
 * The apply guard (DESIGN §3 `guards`) applied to an emergency proposal before it merges: an IdP that
 * deactivates 40% of the directory by mistake must not be rubber-stamped because each change only revokes.
 * The limit is the one `plan` uses (allowedRevocations), on the policy's holders rather than a cluster's.
 */
export function findMassRevocation(
  diff: AccessDiff,
  holders: HoldersByTarget,
  guards: Settings["guards"],
): MassRevocation | undefined {
  const losing = new Map<string, Set<string>>();
  for (const person of diff.people) {
    for (const change of person.changes) {
      if (change.lost.length === 0 && change.denyAdded.length === 0) continue;
      const principals = losing.get(change.target) ?? new Set<string>();
      principals.add(change.principal);
      losing.set(change.target, principals);
    }
  }
  // In the registry's order, so the reason names the same target whichever way the diff was built.
  for (const [target, holding] of holders) {
    const count = losing.get(target)?.size ?? 0;
    const allowed = allowedRevocations(holding, guards);
    if (count <= allowed) continue;
    const limit =
      "percent" in guards.maxRevocations
        ? `${guards.maxRevocations.percent}%`
        : `${guards.maxRevocations.count}`;
    return {
      target,
      losing: count,
      holders: holding,
      allowed,
      reason:
        `held for review: ${count} of ${holding} ${target} principals holding access would lose some ` +
        `or all of it, above the mass-revocation guard (at most ${allowed}: guards.maxRevocations ${limit}, ` +
        `guards.minRevocations ${guards.minRevocations}); if the identity provider meant it, merge the branch`,
    };
  }
  return undefined;
}
