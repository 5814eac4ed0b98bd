import type { Binding, Policy, SourceLocation, UserIdentity } from "../model/model.js";
import type { EffectiveAccess, Person, PrincipalAccess } from "../model/effective-access.js";
import type { TargetSettings } from "../targets/target-policy.js";
import { isEligible, isExpired } from "../compile/compile.js";
import { compareStrings } from "../compile/compile-grants.js";
import { renderPrincipal } from "../compile/principal.js";

export type ExplainStatus = "active" | "inactive" | "deleted";

/** A binding that reaches the person, and whether it gives anything today. */
export interface ReachingBinding {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly expires?: string;
  /** `active`, `expired` (past its last day), or `missing-roles` (names roles that do not exist). */
  readonly state: "active" | "expired" | "missing-roles";
  readonly missingRoles: readonly string[];
  readonly at: SourceLocation;
}

export interface TargetExplanation<G> {
  /** The principal on this target; absent when the target is not managed or the template cannot render. */
  readonly principal?: string;
  /** Why the person holds nothing here although bindings reach them, when there is a reason to say. */
  readonly note?: string;
  readonly grants: readonly G[];
}

export interface PersonExplanation {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly status: ExplainStatus;
  readonly deleted?: string;
  /** Set when the name asked for is one this person used before. */
  readonly matchedFormerUserName?: string;
  readonly formerUserNames: readonly string[];
  readonly groups: readonly string[];
  readonly bindings: readonly ReachingBinding[];
  /** By target name, every target of the policy, in its order. */
  readonly targets: ReadonlyMap<string, TargetExplanation<unknown>>;
  /** Per target name, the principals apply revokes for this person (inactive, deleted, former names). */
  readonly retired: ReadonlyMap<string, readonly string[]>;
  readonly at: SourceLocation;
}

/**
 * A person's effective access and why (DESIGN §6 `explain`), found by userName case-insensitively, or by
 * a former userName. Undefined when the policy does not know the name.
 */
export function explainPerson(
  policy: Policy,
  access: EffectiveAccess,
  userName: string,
  now: Date,
): PersonExplanation | undefined {
  const found = findUser(policy.users, userName);
  if (found === undefined) return undefined;
  const { user, former } = found;
  const person = access.people.get(user.id);
  const key = user.userName.toLowerCase();
  const groups = policy.groups
    .filter((group) => group.members.some((member) => member.toLowerCase() === key))
    .map((group) => group.displayName)
    .sort(compareStrings);
  const groupKeys = new Set(groups.map((name) => name.toLowerCase()));
  const today = now.toISOString().slice(0, 10);
  const bindings = policy.bindings
    .filter((binding) =>
      binding.subject.kind === "user"
        ? binding.subject.name.toLowerCase() === key
        : groupKeys.has(binding.subject.name.toLowerCase()),
    )
    .map((binding) => reaching(binding, policy, today));
  const status: ExplainStatus = user.deleted !== undefined ? "deleted" : user.active ? "active" : "inactive";
  const principals: Person["principals"] = person?.principals ?? {};
  const retired = (set: ReadonlySet<string>, own: string | undefined, template: string | undefined) => {
    const formerPrincipals = user.formerUserNames.map((name) =>
      template === undefined ? undefined : renderPrincipal(template, { ...user, userName: name }),
    );
    return [...set].filter((principal) => principal === own || formerPrincipals.includes(principal));
  };
  return {
    id: user.id,
    userName: user.userName,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    status,
    ...(user.deleted === undefined ? {} : { deleted: user.deleted }),
    ...(former === undefined ? {} : { matchedFormerUserName: former }),
    formerUserNames: user.formerUserNames,
    groups,
    bindings,
    targets: new Map(
      policy.targets.parts.map((target) => [
        target.name,
        targetExplanation(
          policy.settings.targets.get(target.name),
          principals[target.name],
          access.targets.get(target.name)?.principals ?? new Map(),
          user,
          bindings,
        ),
      ]),
    ),
    retired: new Map(
      policy.targets.parts.map((target) => [
        target.name,
        retired(
          access.targets.get(target.name)?.retired ?? new Set(),
          principals[target.name],
          policy.settings.targets.get(target.name)?.principal,
        ),
      ]),
    ),
    at: user.at,
  };
}

function findUser(
  users: readonly UserIdentity[],
  userName: string,
): { user: UserIdentity; former?: string } | undefined {
  const key = userName.toLowerCase();
  const sorted = [...users].sort(
    (left, right) => compareStrings(left.id, right.id) || compareStrings(left.slug, right.slug),
  );
  const current = sorted.filter((user) => user.userName.toLowerCase() === key);
  const user = current.find(isEligible) ?? current[0];
  if (user !== undefined) return { user };
  const previous = sorted.find((candidate) =>
    candidate.formerUserNames.some((name) => name.toLowerCase() === key),
  );
  return previous === undefined ? undefined : { user: previous, former: userName };
}

function reaching(binding: Binding, policy: Policy, today: string): ReachingBinding {
  const missingRoles = binding.roles.filter((role) => !policy.roles.has(role));
  return {
    subject: `${binding.subject.kind}:${binding.subject.name}`,
    roles: binding.roles,
    ...(binding.expires === undefined ? {} : { expires: binding.expires }),
    state: isExpired(binding, today) ? "expired" : missingRoles.length > 0 ? "missing-roles" : "active",
    missingRoles,
    at: binding.at,
  };
}

function targetExplanation<G>(
  settings: TargetSettings | undefined,
  principal: string | undefined,
  grants: ReadonlyMap<string, PrincipalAccess<unknown>>,
  user: UserIdentity,
  bindings: readonly ReachingBinding[],
): TargetExplanation<G> {
  if (settings === undefined) return { note: "not managed: settings.yaml has no section for it", grants: [] };
  if (principal === undefined) {
    return {
      note: `no principal: the template "${settings.principal}" needs a field this user does not have`,
      grants: [],
    };
  }
  const held = (grants.get(principal)?.grants ?? []) as readonly G[];
  const note = !isEligible(user)
    ? `${user.deleted !== undefined ? "deleted" : "inactive"}: holds nothing, and apply revokes ${principal}`
    : settings.protectedPrincipals.includes(principal)
      ? "protected principal: bindings never grant it, and apply never revokes it"
      : held.length === 0 && bindings.some((binding) => binding.state === "active")
        ? "its bindings give nothing on this target inside the managed scope"
        : undefined;
  return { principal, ...(note === undefined ? {} : { note }), grants: held };
}
