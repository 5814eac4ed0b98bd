import { suggestKey } from "../schema/suggest-key.js";
import type { RuleInput } from "./rule-input.js";

/**
 * A binding to a role nobody defined is an error: the author meant something that will not happen. A
 * binding to a group or user the IdP has not pushed yet is only a warning: the policy may be written
 * before the IdP syncs, and it starts working when the identity arrives.
 */
export function checkBindingReferences(input: RuleInput): void {
  const { policy } = input;
  const groupNames = new Set(policy.groups.map((group) => group.displayName.toLowerCase()));
  const userNames = new Set(policy.users.map((user) => user.userName.toLowerCase()));
  const roleNames = [...policy.roles.keys()];
  for (const source of input.bindings) {
    for (const ref of source.roleRefs) {
      if (!policy.roles.has(ref.name)) {
        const hint = suggestKey(ref.name, roleNames);
        source.report.error(
          ref.offset,
          `role \`${ref.name}\` is not defined in any access file; ${hint === undefined ? "define it under `roles:` or fix the name" : `did you mean \`${hint}\`?`}`,
        );
      }
    }
    const { kind, name } = source.binding.subject;
    const known = kind === "group" ? groupNames : userNames;
    if (!known.has(name.toLowerCase())) {
      const where = kind === "group" ? "identities/groups" : "identities/users";
      const field = kind === "group" ? "displayName" : "userName";
      source.report.warning(
        source.subjectOffset,
        `${kind} \`${name}\` has not been pushed by the IdP (no file in ${where} has ${field} ${JSON.stringify(name)}); check the spelling, or expect it to apply once the IdP syncs it`,
      );
    }
  }
}

/** Group members are userNames; one with no user file cannot be reached by any binding. */
export function checkGroupMembers(input: RuleInput): void {
  const userNames = new Set(input.policy.users.map((user) => user.userName.toLowerCase()));
  for (const group of input.policy.groups) {
    const missing = group.members.filter((member) => !userNames.has(member.toLowerCase()));
    if (missing.length === 0) continue;
    input.diagnostics.push({
      severity: "warning",
      at: group.at,
      message: `group \`${group.displayName}\` lists ${missing.length === 1 ? "a member" : "members"} with no user file (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}); they get nothing until the IdP pushes them`,
    });
  }
}
