import type { Binding, GroupIdentity, Policy, Role, UserIdentity } from "../model/model.js";
import type { EffectiveAccess, Person, Provenance, TargetAccess } from "../model/effective-access.js";
import type { AnyTargetPolicy, TargetEntry, TargetSettings } from "../targets/target-policy.js";
import { GrantCollector, compareStrings, prepareSource, type GrantSource } from "./compile-grants.js";
import { renderPrincipal } from "./principal.js";

/** A target the settings manage, with what compiling for it needs at hand. */
interface ManagedTarget {
  readonly part: AnyTargetPolicy;
  readonly settings: TargetSettings;
  readonly protectedPrincipals: ReadonlySet<string>;
  readonly collector: GrantCollector<GrantSource<TargetEntry>, unknown>;
}

/** A person's principal on each managed target, by the target's index in the managed list. */
type Principals = readonly (string | undefined)[];

/**
 * Policy → effective access (DESIGN §3): bindings → members → roles → a grant per principal, resource and
 * target, each with its provenance. Pure and deterministic: the same policy and day give a deep-equal
 * result whatever order its files and bindings were read in.
 */
export function compilePolicy(policy: Policy, now: Date): EffectiveAccess {
  const managed: ManagedTarget[] = [];
  for (const part of policy.targets.parts) {
    const settings = policy.settings.targets.get(part.name);
    if (settings === undefined) continue;
    managed.push({
      part,
      settings,
      protectedPrincipals: new Set(settings.protectedPrincipals),
      collector: new GrantCollector((sources) => part.mergeGrants(sources) as unknown),
    });
  }
  // Two files with one SCIM id are a validation error; the slug breaks the tie so file order never matters.
  const users = [...policy.users].sort(
    (left, right) => compareStrings(left.id, right.id) || compareStrings(left.slug, right.slug),
  );
  const principals = new Map<string, Principals>();
  const people = new Map<string, Person>();
  for (const user of users) {
    if (people.has(user.id)) continue;
    const own = principalsOf(managed, user);
    principals.set(user.id, own);
    people.set(user.id, personOf(user, managed, own));
  }
  const members = memberResolver(users, policy.groups);
  const today = now.toISOString().slice(0, 10);
  for (const binding of policy.bindings) {
    if (isExpired(binding, today)) continue;
    const holders = members(binding);
    if (holders.length === 0) continue;
    for (const roleName of binding.roles) {
      const role = policy.roles.get(roleName);
      if (role !== undefined) grantRole(managed, binding, role, holders, principals);
    }
  }
  const retired = retiredPrincipals(managed, users, principals);
  const targets = new Map<string, TargetAccess<unknown>>();
  for (const part of policy.targets.parts) {
    const index = managed.findIndex((target) => target.part === part);
    const target = managed[index];
    targets.set(part.name, {
      principals: target === undefined ? new Map() : target.collector.collect(),
      retired: retired[index] ?? new Set(),
    });
  }
  return { people, targets };
}

/** `expires` is inclusive: the binding holds through that whole UTC day. */
export function isExpired(binding: Binding, today: string): boolean {
  return binding.expires !== undefined && binding.expires < today;
}

export function isEligible(user: UserIdentity): boolean {
  return user.active && user.deleted === undefined;
}

function principalsOf(managed: readonly ManagedTarget[], user: UserIdentity): Principals {
  return managed.map((target) => renderPrincipal(target.settings.principal, user));
}

function personOf(user: UserIdentity, managed: readonly ManagedTarget[], principals: Principals): Person {
  const named: Record<string, string> = {};
  managed.forEach((target, index) => {
    const principal = principals[index];
    if (principal !== undefined) named[target.part.name] = principal;
  });
  return {
    id: user.id,
    userName: user.userName,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    active: user.active,
    ...(user.deleted === undefined ? {} : { deleted: user.deleted }),
    principals: named,
  };
}

/**
 * Who a binding reaches: a group's members or the one user, matched case-insensitively as SCIM matches
 * userName and displayName. Only active, undeleted users are reached.
 */
function memberResolver(
  users: readonly UserIdentity[],
  groups: readonly GroupIdentity[],
): (binding: Binding) => readonly UserIdentity[] {
  const eligible = new Map<string, UserIdentity>();
  for (const user of users) {
    const key = user.userName.toLowerCase();
    if (isEligible(user) && !eligible.has(key)) eligible.set(key, user);
  }
  const byName = new Map<string, GroupIdentity[]>();
  for (const group of groups) {
    const key = group.displayName.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), group]);
  }
  return (binding) => {
    const key = binding.subject.name.toLowerCase();
    if (binding.subject.kind === "user") {
      const user = eligible.get(key);
      return user === undefined ? [] : [user];
    }
    const reached = new Map<string, UserIdentity>();
    for (const group of byName.get(key) ?? []) {
      for (const member of group.members) {
        const user = eligible.get(member.toLowerCase());
        if (user !== undefined) reached.set(user.id, user);
      }
    }
    return [...reached.values()];
  };
}

function grantRole(
  managed: readonly ManagedTarget[],
  binding: Binding,
  role: Role,
  holders: readonly UserIdentity[],
  principals: ReadonlyMap<string, Principals>,
): void {
  const subject = `${binding.subject.kind}:${binding.subject.name}`;
  const because = (at: Role["at"]): Provenance => ({
    subject,
    binding: binding.at,
    role: role.name,
    roleEntry: at,
  });
  const sources = managed.map(({ part, settings }) =>
    (role.entries.get(part.name) ?? [])
      .filter((entry) => part.compiles(entry, settings))
      .map((entry) => prepareSource(entry, (item) => part.resourceOf(item), because(entry.at))),
  );
  for (const user of holders) {
    const own = principals.get(user.id);
    if (own === undefined) continue;
    for (let index = 0; index < managed.length; index++) {
      const principal = own[index];
      const target = managed[index] as ManagedTarget;
      if (principal === undefined || target.protectedPrincipals.has(principal)) continue;
      target.collector.add(principal, user.id, sources[index] ?? []);
    }
  }
}

/**
 * Principals of people who must hold nothing: inactive users, tombstones, and every former user name.
 * A principal an active person holds now, or a protected one, is never retired. One set per managed target.
 */
function retiredPrincipals(
  managed: readonly ManagedTarget[],
  users: readonly UserIdentity[],
  principals: ReadonlyMap<string, Principals>,
): Set<string>[] {
  const retired = managed.map(() => new Set<string>());
  const kept = managed.map((target) => new Set(target.settings.protectedPrincipals));
  for (const user of users) {
    const own = principals.get(user.id) ?? [];
    const into = isEligible(user) ? kept : retired;
    own.forEach((principal, index) => {
      if (principal !== undefined) into[index]?.add(principal);
    });
    for (const former of user.formerUserNames) {
      principalsOf(managed, { ...user, userName: former }).forEach((principal, index) => {
        if (principal !== undefined) retired[index]?.add(principal);
      });
    }
  }
  return retired.map(
    (set, index) =>
      new Set([...set].filter((principal) => !kept[index]?.has(principal)).sort(compareStrings)),
  );
}
