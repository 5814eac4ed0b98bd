import type { AccessDiff } from "../policy/diff/access-change.js";
import { diffAccess } from "../policy/diff/access-diff.js";
import { compilePolicy } from "../policy/compile/compile.js";
import { loadAndCompile } from "../policy/compile/compile-memo.js";
import type { LoadResult } from "../policy/load/load.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Diagnostic, PolicyFiles } from "../policy/model/model.js";
import type { HoldersByTarget } from "./mass-revocation-guard.js";
import type { PolicyTargets } from "../policy/targets/policy-targets.js";
import { POLICY_TARGETS } from "../targets/registry.js";

export type Proof =
  | { readonly proven: true; readonly diff: AccessDiff; readonly holders: HoldersByTarget }
  | { readonly proven: false; readonly reason: string; readonly diff?: AccessDiff };

/** A revision as the gate judges it: its diagnostics, and its access compiled when asked for. */
interface Judged {
  readonly diagnostics: readonly Diagnostic[];
  readonly desired: EffectiveAccess;
}

/**
 * The emergency gate (DESIGN §3): both revisions are loaded and compiled, and the change may merge only
 * when every principal's new access is a subset of the old. A branch that introduces a load error cannot be
 * judged, so it is not proven either. Compiles are remembered by content: main's was usually made by the
 * apply of the previous merge, and this branch's is the one the apply of this merge needs.
 */
export function proveRevocationOnly(
  before: PolicyFiles,
  after: PolicyFiles,
  options: { readonly dir: string; readonly now: Date; readonly targets?: PolicyTargets },
): Proof {
  const load = { ...options, targets: options.targets ?? POLICY_TARGETS };
  return judge(loadAndCompile(before, load), loadAndCompile(after, load), load.targets);
}

/** The same gate on revisions already loaded (the PR check loads the head once for its diagnostics too). */
export function proveLoadedRevocationOnly(
  old: LoadResult,
  next: LoadResult,
  options: { readonly now: Date; readonly targets?: PolicyTargets },
): Proof {
  const compiled = (loaded: LoadResult): Judged => ({
    diagnostics: loaded.diagnostics,
    get desired() {
      return compilePolicy(loaded.policy, options.now);
    },
  });
  return judge(compiled(old), compiled(next), options.targets ?? POLICY_TARGETS);
}

function judge(old: Judged, next: Judged, targets: PolicyTargets): Proof {
  const newErrors = errorCount(next.diagnostics) - errorCount(old.diagnostics);
  if (newErrors > 0) {
    return {
      proven: false,
      reason: `the change adds ${newErrors} policy error(s); run scim-gitops validate`,
    };
  }
  const compiledBefore = old.desired;
  const diff = diffAccess(compiledBefore, next.desired, targets);
  if (!diff.revocationOnly) {
    return {
      proven: false,
      reason: `it grants ${diff.grants} permission(s) to ${diff.peopleGaining} person(s); a person must review it`,
      diff,
    };
  }
  return {
    proven: true,
    diff,
    holders: new Map(
      [...compiledBefore.targets].map(([target, access]) => [target, access.principals.size] as const),
    ),
  };
}

function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
}
