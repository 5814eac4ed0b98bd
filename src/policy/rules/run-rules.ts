import { checkDuplicateIdentities, checkDuplicateRoles } from "./duplicates.js";
import { checkExpiredBindings } from "./expiry.js";
import { checkTombstones } from "./identity-consistency.js";
import { checkManagedScope } from "./managed-scope.js";
import { checkOverlaps } from "./overlaps.js";
import { checkProtectedPrincipals } from "./protected-principals.js";
import { checkBindingReferences, checkGroupMembers } from "./references.js";
import { checkPrincipalsPerPerson } from "./shared-principals.js";
import type { PolicyRule, RuleInput } from "./rule-input.js";

/** The cross-file rules, each small and named; every one runs, so every problem is reported at once. */
export const POLICY_RULES: readonly PolicyRule[] = [
  checkDuplicateRoles,
  checkDuplicateIdentities,
  checkTombstones,
  checkPrincipalsPerPerson,
  checkBindingReferences,
  checkGroupMembers,
  checkManagedScope,
  checkExpiredBindings,
  checkOverlaps,
  checkProtectedPrincipals,
];

export function runPolicyRules(input: RuleInput): void {
  for (const rule of POLICY_RULES) rule(input);
}
