import type { RuleInput } from "./rule-input.js";

/**
 * A tombstone (`deleted` set) that still says `active: true` contradicts itself; compile treats it as
 * deleted, which is the safe reading, and says so.
 */
export function checkTombstones(input: RuleInput): void {
  for (const user of input.policy.users) {
    if (user.deleted === undefined || !user.active) continue;
    input.diagnostics.push({
      severity: "warning",
      at: user.at,
      message: `user \`${user.userName}\` has \`deleted\` set but \`active: true\`; it is treated as deleted and gets nothing, so set \`active: false\` (or remove \`deleted\` if the person is back)`,
    });
  }
}
