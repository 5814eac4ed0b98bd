import type { RuleInput } from "./rule-input.js";

/**
 * An expired binding grants nothing (compile skips it from the day after `expires`, UTC). It stays valid
 * YAML, so this is a warning: a reminder to remove it or extend it on purpose.
 */
export function checkExpiredBindings(input: RuleInput): void {
  const today = input.now.toISOString().slice(0, 10);
  for (const source of input.bindings) {
    const expires = source.binding.expires;
    if (expires === undefined || expires >= today) continue;
    const { kind, name } = source.binding.subject;
    source.report.warning(
      source.expiresOffset ?? source.offset,
      `the binding of ${kind} \`${name}\` expired on ${expires} and grants nothing; remove it, or set a later \`expires\` if it is still needed`,
    );
  }
}
