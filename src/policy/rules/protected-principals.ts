import { renderPrincipal } from "../compile/principal.js";
import type { UserIdentity } from "../model/model.js";
import type { RuleInput } from "./rule-input.js";

const NOWHERE: readonly string[] = [];

interface Protection {
  readonly target: string;
  readonly template: string;
  readonly principals: ReadonlySet<string>;
}

/**
 * Protected principals are never granted by bindings and never revoked. A direct user binding to one is an
 * error: its author wrote a grant that can never happen. A protected person reached through a group is a
 * warning: group membership is the IdP's, and failing every sync PR because of it would block them all.
 */
export function checkProtectedPrincipals(input: RuleInput): void {
  const protections: Protection[] = [];
  for (const target of input.policy.targets.parts) {
    const settings = input.policy.settings.targets.get(target.name);
    if (settings === undefined || settings.protectedPrincipals.length === 0) continue;
    protections.push({
      target: target.name,
      template: settings.principal,
      principals: new Set(settings.protectedPrincipals),
    });
  }
  if (protections.length === 0) return;
  const users = new Map<string, UserIdentity>();
  for (const user of input.policy.users) users.set(user.userName.toLowerCase(), user);
  const groups = new Map(input.policy.groups.map((group) => [group.displayName.toLowerCase(), group]));

  const known = new Map<string, readonly string[]>();
  const protectedAs = (userName: string): readonly string[] => {
    const key = userName.toLowerCase();
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const user = users.get(key) ?? { userName, id: "", emails: [] };
    // Nearly everyone is protected nowhere: they share one empty list instead of a flatMap each.
    let hits: readonly string[] = NOWHERE;
    for (const protection of protections) {
      const principal = renderPrincipal(protection.template, user);
      if (principal !== undefined && protection.principals.has(principal)) {
        hits = [...hits, `${principal} on ${protection.target}`];
      }
    }
    known.set(key, hits);
    return hits;
  };

  for (const source of input.bindings) {
    const { kind, name } = source.binding.subject;
    if (kind === "user") {
      const hits = protectedAs(name);
      if (hits.length > 0) {
        source.report.error(
          source.subjectOffset,
          `user \`${name}\` is the protected principal ${hits.join(" and ")}, which bindings never grant to; remove this binding, or remove the principal from \`protectedPrincipals\` in settings.yaml`,
        );
      }
      continue;
    }
    const members = groups.get(name.toLowerCase())?.members ?? [];
    const hits: string[] = [];
    for (const member of members) {
      for (const hit of protectedAs(member)) hits.push(hit);
    }
    if (hits.length > 0) {
      source.report.warning(
        source.subjectOffset,
        `group \`${name}\` includes the protected principal ${hits.join(", ")}; this binding grants them nothing and they keep the access they have outside scim-gitops`,
      );
    }
  }
}
