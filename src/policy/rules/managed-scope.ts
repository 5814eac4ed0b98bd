import type { RuleInput } from "./rule-input.js";

/**
 * Apply never touches anything outside the scope settings.yaml manages, so a grant outside it would never
 * happen: an error, naming the setting that would bring it in scope (each target says which).
 */
export function checkManagedScope(input: RuleInput): void {
  const { settings, targets } = input.policy;
  for (const source of input.roles) {
    for (const target of targets.parts) {
      const targetSettings: unknown = settings.targets.get(target.name);
      const offsets = source.offsets.get(target.name) ?? [];
      (source.role.entries.get(target.name) ?? []).forEach((entry, index) => {
        const problem = target.scopeError(entry, targetSettings);
        if (problem !== undefined) source.report.error(offsets[index] ?? source.offset, problem);
      });
    }
  }
}
