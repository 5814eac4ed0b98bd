import { renderPrincipal } from "../compile/principal.js";
import type { SourceLocation } from "../model/model.js";
import type { RuleInput } from "./rule-input.js";

/**
 * Each active person must become a principal of their own on each target. Two people rendering to one
 * principal would pool their access (an error); a person whose template field is empty gets no principal
 * and so nothing at all, silently (a warning, naming the field).
 */
export function checkPrincipalsPerPerson(input: RuleInput): void {
  const targets = input.policy.targets.parts.flatMap((target) => {
    const settings = input.policy.settings.targets.get(target.name);
    return settings === undefined ? [] : [{ name: target.title, template: settings.principal }];
  });
  for (const target of targets) {
    const owners = new Map<string, { userName: string; at: SourceLocation }>();
    for (const user of input.policy.users) {
      if (!user.active || user.deleted !== undefined) continue;
      const principal = renderPrincipal(target.template, user);
      if (principal === undefined) {
        input.diagnostics.push({
          severity: "warning",
          at: user.at,
          message: `user \`${user.userName}\` has no ${target.name} principal: a field ${target.template} needs is empty, so they get nothing on ${target.name}; wait for the IdP to send it, or change the \`principal\` template in settings.yaml`,
        });
        continue;
      }
      const owner = owners.get(principal);
      if (owner === undefined) {
        owners.set(principal, { userName: user.userName, at: user.at });
        continue;
      }
      input.diagnostics.push({
        severity: "error",
        at: user.at,
        message: `user \`${user.userName}\` becomes ${target.name} principal ${principal}, as \`${owner.userName}\` (${owner.at.file}) does, so they would share access; use a \`principal\` template in settings.yaml that tells people apart, such as "{userName}"`,
      });
    }
  }
}
