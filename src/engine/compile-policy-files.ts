import { loadAndCompile } from "../policy/compile/compile-memo.js";
import { hasErrors } from "../policy/load/load.js";
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
  const compiled = loadAndCompile(input.files, {
    dir: input.display,
    now: input.now,
    targets: input.policyTargets,
  });
  const { diagnostics } = compiled;
  input.diagnostics?.(diagnostics);
  if (hasErrors(diagnostics)) return { valid: false, diagnostics };
  return { valid: true, diagnostics, settings: compiled.settings, desired: compiled.desired };
}
