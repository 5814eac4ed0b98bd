import type { BindingSource } from "../load/load-access.js";
import type { RuleInput } from "./rule-input.js";

/**
 * Overlaps are harmless to access but mislead a reviewer: removing one of two equal grants changes
 * nothing, which is not what the person removing it expects. Warnings, each naming what to remove; each
 * target checks its own role entries.
 */
export function checkOverlaps(input: RuleInput): void {
  checkRepeatedBindings(input.bindings);
  for (const source of input.roles) {
    for (const target of input.policy.targets.parts) {
      target.checkRole?.({
        role: source.role,
        entries: source.role.entries.get(target.name) ?? [],
        offsets: source.offsets.get(target.name) ?? [],
        report: source.report,
        roleOffset: source.offset,
      });
    }
  }
}

function checkRepeatedBindings(bindings: readonly BindingSource[]): void {
  const seen = new Map<string, BindingSource>();
  for (const source of bindings) {
    const { kind, name } = source.binding.subject;
    for (const ref of source.roleRefs) {
      const key = `${kind}\u0000${name.toLowerCase()}\u0000${ref.name}`;
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, source);
        continue;
      }
      const at = earlier.binding.at;
      const place =
        earlier === source ? "earlier in this binding" : `by the binding at ${at.file}:${at.line}:${at.col}`;
      source.report.warning(
        ref.offset,
        `role \`${ref.name}\` is already bound to ${kind} \`${name}\` ${place}; remove one of them`,
      );
    }
  }
}
