import { compilePolicy } from "../compile/compile.js";
import type { AccessDiff } from "../diff/access-change.js";
import { diffAccess } from "../diff/access-diff.js";
import type { LoadResult } from "../load/load.js";
import { loadPolicy } from "../load/load.js";
import type { Binding, Diagnostic, Policy, PolicyFiles, Settings } from "../model/model.js";
import type { PolicyTargets } from "../targets/policy-targets.js";
import type { DatedBinding } from "./plan-expiry-edit.js";

/**
 * - `revocation-only`: the edit grants nothing, today or against what the bindings gave while they held;
 *   it may take the emergency path.
 * - `needs-review`: the edit is sound, but against what the bindings gave it widens someone's access (a
 *   removed role carried a NATS deny): a person decides.
 * - `refused`: the edit is not what it claims (it adds policy errors, or changes what someone holds today);
 *   it must not be proposed at all.
 */
export type ExpiryProof =
  | {
      readonly verdict: "revocation-only" | "needs-review";
      /** Against the policy with the removed bindings still holding: what the clusters lose on apply. */
      readonly diff: AccessDiff;
      /** Principals holding access per target with the bindings holding: the mass-revocation base. */
      readonly holders: ReadonlyMap<string, number>;
      readonly reason: string;
      /** The base's settings: whether expiry takes the emergency path, and the guards. */
      readonly settings: Settings;
    }
  | { readonly verdict: "refused"; readonly reason: string };

/**
 * The proof an expiry removal carries (DESIGN §3 revocation-only, judged on effective access). Compile
 * already ignores an expired binding, so removing only expired bindings changes nobody's access today: the
 * base and the edit must compile to the same access. That is checked first, so a faulty edit that cut a
 * live binding is refused rather than passed as "revocation-only". The diff shown to reviewers is taken
 * against the base with the removed bindings still holding, since the clusters keep what they gave until
 * the next apply.
 */
export function proveExpiryRemoval(
  before: PolicyFiles,
  after: PolicyFiles,
  removed: readonly DatedBinding[],
  options: { readonly dir: string; readonly now: Date; readonly targets: PolicyTargets },
): ExpiryProof {
  return proveLoadedExpiryRemoval(loadPolicy(before, options), loadPolicy(after, options), removed, options);
}

/** The same proof on revisions already loaded (the App's PR check loads both once for its own verdict). */
export function proveLoadedExpiryRemoval(
  old: LoadResult,
  next: LoadResult,
  removed: readonly DatedBinding[],
  options: { readonly now: Date; readonly targets: PolicyTargets },
): ExpiryProof {
  const newErrors = errorCount(next.diagnostics) - errorCount(old.diagnostics);
  if (newErrors > 0) {
    return {
      verdict: "refused",
      reason: `the edit adds ${newErrors} policy error(s); run scim-gitops validate`,
    };
  }
  const edited = compilePolicy(next.policy, options.now);
  const today = diffAccess(compilePolicy(old.policy, options.now), edited, options.targets);
  if (today.people.length > 0) {
    return {
      verdict: "refused",
      reason: `the edit changes what ${today.people.length} person(s) hold today (${today.grants} grant(s), ${today.revocations} revocation(s)); an expiry removal may only remove bindings that already grant nothing`,
    };
  }
  const holding = compilePolicy(stillHolding(old.policy, removed), options.now);
  const diff = diffAccess(holding, edited, options.targets);
  const holders = new Map(
    [...holding.targets].map(([target, access]) => [target, access.principals.size] as const),
  );
  if (!diff.revocationOnly) {
    return {
      verdict: "needs-review",
      diff,
      holders,
      settings: old.policy.settings,
      reason: `removing them widens ${diff.peopleGaining} person(s)' access against what the bindings gave (${diff.grants} grant(s), such as a lifted NATS deny): a person must review it`,
    };
  }
  return {
    verdict: "revocation-only",
    diff,
    holders,
    settings: old.policy.settings,
    reason: `revocation-only: ${diff.peopleLosing} person(s) lose ${diff.revocations} permission(s) the expired bindings gave; nobody gains anything, and nothing anyone holds today changes`,
  };
}

/** The policy as if the removed bindings had no `expires:`: what they gave while they held. */
function stillHolding(policy: Policy, removed: readonly DatedBinding[]): Policy {
  const keys = new Set(removed.map((binding) => keyOf(binding.at.file, binding.at.line, binding.subject)));
  return {
    ...policy,
    bindings: policy.bindings.map((binding): Binding => {
      if (!keys.has(keyOf(binding.at.file, binding.at.line, binding.subject))) return binding;
      const { expires: _expires, ...holding } = binding;
      return holding;
    }),
  };
}

function keyOf(file: string, line: number, subject: Binding["subject"]): string {
  return `${file}:${line}:${subject.kind}:${subject.name}`;
}

function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
}
