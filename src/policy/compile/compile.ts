import type { Binding, GroupIdentity, Policy, Role, UserIdentity } from "../model/model.js";
import type { EffectiveAccess, Person, Provenance } from "../model/effective-access.js";
import { NatsGrantCollector, PulsarGrantCollector, compareStrings, prepareSource } from "./compile-grants.js";
import { isNatsAccountManaged, isPulsarEntryManaged } from "./compile-scope.js";
import { renderPrincipal } from "./principal.js";

interface Principals {
  readonly pulsar?: string;
  readonly nats?: string;
}

/**
 * Policy → effective access (DESIGN §3): bindings → members → roles → a grant per principal, resource and
 * target, each with its provenance. Pure and deterministic: the same policy and day give a deep-equal
 * result whatever order its files and bindings were read in.
 */
export function compilePolicy(policy: Policy, now: Date): EffectiveAccess {
  // Two files with one SCIM id are a validation error; the slug breaks the tie so file order never matters.
  const users = [...policy.users].sort(
    (left, right) => compareStrings(left.id, right.id) || compareStrings(left.slug, right.slug),
  );
  const principals = new Map<string, Principals>();
  const people = new Map<string, Person>();
  for (const user of users) {
    if (people.has(user.id)) continue;
    const own = principalsOf(policy, user);
    principals.set(user.id, own);
    people.set(user.id, personOf(user, own));
  }
  const members = memberResolver(users, policy.groups);
  const pulsar = new PulsarGrantCollector();
  const nats = new NatsGrantCollector();
  const today = now.toISOString().slice(0, 10);
  for (const binding of policy.bindings) {
    if (isExpired(binding, today)) continue;
    const holders = members(binding);
    if (holders.length === 0) continue;
    for (const roleName of binding.roles) {
      const role = policy.roles.get(roleName);
      if (role !== undefined) grantRole(policy, binding, role, holders, principals, pulsar, nats);
    }
  }
  return {
    people,
    pulsar: pulsar.collect(),
    nats: nats.collect(),
    retired: retiredPrincipals(policy, users, principals),
  };
}

/** `expires` is inclusive: the binding holds through that whole UTC day. */
export function isExpired(binding: Binding, today: string): boolean {
  return binding.expires !== undefined && binding.expires < today;
}

export function isEligible(user: UserIdentity): boolean {
  return user.active && user.deleted === undefined;
}

function principalsOf(policy: Policy, user: UserIdentity): Principals {
  const { pulsar, nats } = policy.settings;
  return {
    ...(pulsar === undefined ? {} : { pulsar: renderPrincipal(pulsar.principal, user) }),
    ...(nats === undefined ? {} : { nats: renderPrincipal(nats.principal, user) }),
  };
}

function personOf(user: UserIdentity, principals: Principals): Person {
  return {
    id: user.id,
    userName: user.userName,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    active: user.active,
    ...(user.deleted === undefined ? {} : { deleted: user.deleted }),
    principals: {
      ...(principals.pulsar === undefined ? {} : { pulsar: principals.pulsar }),
      ...(principals.nats === undefined ? {} : { nats: principals.nats }),
    },
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
  policy: Policy,
  binding: Binding,
  role: Role,
  holders: readonly UserIdentity[],
  principals: ReadonlyMap<string, Principals>,
  pulsar: PulsarGrantCollector,
  nats: NatsGrantCollector,
): void {
  const subject = `${binding.subject.kind}:${binding.subject.name}`;
  const because = (at: Role["at"]): Provenance => ({
    subject,
    binding: binding.at,
    role: role.name,
    roleEntry: at,
  });
  const { pulsar: pulsarSettings, nats: natsSettings } = policy.settings;
  const pulsarEntries =
    pulsarSettings === undefined
      ? []
      : role.pulsar
          .filter((entry) => entry.kind === "tenantAdmin" || entry.actions.length > 0)
          .filter((entry) => isPulsarEntryManaged(entry, pulsarSettings))
          .map((entry) => prepareSource(entry, because(entry.at)));
  const natsEntries =
    natsSettings === undefined
      ? []
      : role.nats
          .filter((entry) => isNatsAccountManaged(entry.account, natsSettings))
          .map((entry) => prepareSource(entry, because(entry.at)));
  for (const user of holders) {
    const own = principals.get(user.id);
    const pulsarPrincipal = own?.pulsar;
    if (pulsarPrincipal !== undefined && !pulsarSettings?.protectedPrincipals.includes(pulsarPrincipal)) {
      for (const source of pulsarEntries) pulsar.add(pulsarPrincipal, user.id, source);
    }
    const natsPrincipal = own?.nats;
    if (natsPrincipal !== undefined && !natsSettings?.protectedPrincipals.includes(natsPrincipal)) {
      for (const source of natsEntries) nats.add(natsPrincipal, user.id, source);
    }
  }
}

/**
 * Principals of people who must hold nothing: inactive users, tombstones, and every former user name.
 * A principal an active person holds now, or a protected one, is never retired.
 */
function retiredPrincipals(
  policy: Policy,
  users: readonly UserIdentity[],
  principals: ReadonlyMap<string, Principals>,
): EffectiveAccess["retired"] {
  const retired = { pulsar: new Set<string>(), nats: new Set<string>() };
  const kept = {
    pulsar: new Set(policy.settings.pulsar?.protectedPrincipals ?? []),
    nats: new Set(policy.settings.nats?.protectedPrincipals ?? []),
  };
  for (const user of users) {
    const own = principals.get(user.id) ?? {};
    const target = isEligible(user) ? kept : retired;
    if (own.pulsar !== undefined) target.pulsar.add(own.pulsar);
    if (own.nats !== undefined) target.nats.add(own.nats);
    for (const former of user.formerUserNames) {
      const { pulsar, nats } = principalsOf(policy, { ...user, userName: former });
      if (pulsar !== undefined) retired.pulsar.add(pulsar);
      if (nats !== undefined) retired.nats.add(nats);
    }
  }
  const without = (set: Set<string>, drop: Set<string>): Set<string> =>
    new Set([...set].filter((principal) => !drop.has(principal)).sort(compareStrings));
  return { pulsar: without(retired.pulsar, kept.pulsar), nats: without(retired.nats, kept.nats) };
}
