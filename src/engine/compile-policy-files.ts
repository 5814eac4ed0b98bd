import { compilePolicy } from "../policy/compile/compile.js";
import { hasErrors, loadPolicy } from "../policy/load/load.js";
import type { EffectiveAccess } from "../policy/model/effective-access.js";
import type { Diagnostic, Settings } from "../policy/model/model.js";
import type { PolicyInput } from "./engine-input.js";

export type CompiledPolicyFiles =
  | { readonly valid: false; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly valid: true;
      readonly diagnostics: readonly Diagnostic[];
      readonly settings: Settings;
      readonly desired: EffectiveAccess;
    };

/** The one place the engine loads and compiles a policy; errors stop here, warnings travel on. */
export function compilePolicyFiles(
  input: Pick<PolicyInput, "files" | "display" | "now" | "diagnostics" | "policyTargets">,
): CompiledPolicyFiles {
  const { policy, diagnostics } = loadPolicy(input.files, {
    dir: input.display,
    now: input.now,
    targets: input.policyTargets,
  });
  input.diagnostics?.(diagnostics);
  if (hasErrors(diagnostics)) return { valid: false, diagnostics };
  return { valid: true, diagnostics, settings: policy.settings, desired: compilePolicy(policy, input.now) };
}
