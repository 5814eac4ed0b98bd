import type { EffectiveAccess, Person, TargetAccess } from "../../policy/model/effective-access.js";
import type { Settings } from "../../policy/model/model.js";
import type { PulsarGrant, PulsarSettings } from "./policy/pulsar-model.js";
import { pulsarPolicy } from "./policy/pulsar-policy.js";
import type { PlannedChange, TargetPlan } from "../../plan/plan.js";
import { fingerprintState } from "../../plan/fingerprint.js";
import { orderChanges } from "../../plan/order-changes.js";
import type { PulsarActual, RoleActions } from "./actual-state.js";
import { selectDesired, type Want } from "./desired-state.js";
import { summariseProvenance } from "../../plan/summarise-provenance.js";
import type { PulsarOperation } from "./operation.js";
import { isNamespaceManaged, isTenantManaged, topicNamespace } from "./policy/pulsar-scope.js";

type Level = "namespace" | "topic" | "tenant";

interface Context {
  readonly settings: PulsarSettings;
  readonly desired: EffectiveAccess;
  readonly access: TargetAccess<PulsarGrant>;
  readonly owners: ReadonlyMap<string, Person>;
  readonly changes: PlannedChange[];
  readonly unmanaged: Map<string, string[]>;
  readonly protectedKept: Map<string, string[]>;
  readonly unloads: Map<string, string[]>;
  readonly actual: PulsarActual;
}

/** Pure: the changes that bring the managed scope to what the policy says (DESIGN §6, Pulsar). */
export function planPulsar(desired: EffectiveAccess, settings: Settings, actual: PulsarActual): TargetPlan {
  const fingerprint = fingerprintState(actual);
  const pulsar = pulsarPolicy.settingsOf(settings);
  if (pulsar === undefined) {
    return { target: "pulsar", actualFingerprint: fingerprint, holders: 0, changes: [], notices: [] };
  }
  const wanted = selectDesired(desired, pulsar, actual);
  const owners = new Map<string, Person>();
  for (const person of desired.people.values()) {
    const principal = person.principals[pulsarPolicy.name];
    if (principal !== undefined) owners.set(principal, person);
  }
  const context: Context = {
    settings: pulsar,
    desired,
    access: pulsarPolicy.accessOf(desired),
    owners,
    changes: [],
    unmanaged: new Map(),
    protectedKept: new Map(),
    unloads: new Map(),
    actual,
  };
  const holders = new Set<string>();
  const wantedTopicsByNamespace = groupTopics(wanted.topics.keys());

  for (const [name, auth] of Object.entries(actual.namespaces)) {
    // The reader only reads the managed scope; this keeps a hand-built or stale state from leaking out of it.
    if (!isNamespaceManaged(name, pulsar)) continue;
    for (const role of Object.keys(auth.namespace)) holders.add(role);
    compareLevel(context, "namespace", name, name, auth.namespace, wanted.namespaces.get(name));
    const topicNames = new Set([...Object.keys(auth.topics), ...(wantedTopicsByNamespace.get(name) ?? [])]);
    for (const topic of [...topicNames].sort()) {
      const roles = auth.topics[topic] ?? {};
      for (const role of Object.keys(roles)) holders.add(role);
      compareLevel(context, "topic", topic, name, roles, wanted.topics.get(topic));
    }
  }
  for (const [tenant, info] of Object.entries(actual.tenants)) {
    if (!isTenantManaged(tenant, pulsar)) continue;
    const roles: Record<string, readonly string[]> = {};
    for (const role of info.adminRoles) {
      roles[role] = ["admin"];
      holders.add(role);
    }
    compareLevel(context, "tenant", tenant, tenant, roles, wanted.tenantAdmins.get(tenant));
  }

  return {
    target: "pulsar",
    actualFingerprint: fingerprint,
    holders: holders.size,
    changes: orderChanges(context.changes),
    notices: [...wanted.notices, ...summarise(context)],
  };
}

function groupTopics(topics: Iterable<string>): Map<string, string[]> {
  const byNamespace = new Map<string, string[]>();
  for (const topic of topics) {
    const namespace = topicNamespace(topic);
    if (namespace === undefined) continue;
    const list = byNamespace.get(namespace);
    if (list === undefined) byNamespace.set(namespace, [topic]);
    else list.push(topic);
  }
  return byNamespace;
}

function compareLevel(
  context: Context,
  level: Level,
  name: string,
  namespace: string,
  actualRoles: RoleActions,
  wantedRoles: ReadonlyMap<string, Want> | undefined,
): void {
  // In sync, the common case on a large cluster, needs no sorted union of roles and no change records.
  if (inSync(level, actualRoles, wantedRoles)) return;
  const resource = `${level} ${name}`;
  const roles = new Set([...Object.keys(actualRoles), ...(wantedRoles?.keys() ?? [])]);
  for (const role of [...roles].sort()) {
    const before = actualRoles[role] ?? [];
    const want = wantedRoles?.get(role);
    const after = want === undefined ? [] : level === "tenant" ? ["admin"] : want.actions;
    if (sameSet(before, after)) continue;
    const narrows = before.some((action) => !after.includes(action));
    if (context.settings.protectedPrincipals.includes(role)) {
      // Only worth a word when the policy would otherwise have taken something away.
      const known = context.owners.has(role) || context.access.retired.has(role) || context.settings.prune;
      if (narrows && known) push(context.protectedKept, role, resource);
      continue;
    }
    let reason: string;
    let unload: string[] = [];
    if (want !== undefined) {
      reason = summariseProvenance(want.because);
    } else if (context.access.retired.has(role)) {
      reason = retiredReason(context.owners.get(role));
      if (context.settings.unloadOnRevoke) {
        unload = level === "tenant" ? tenantNamespaces(context.actual, name) : [namespace];
        for (const each of unload) push(context.unloads, role, each);
      }
    } else if (context.owners.has(role) || context.access.principals.has(role)) {
      reason = "no binding grants this any more";
    } else if (context.settings.prune) {
      reason = "not in the policy, and pulsar.prune is true";
    } else {
      push(context.unmanaged, role, resource);
      continue;
    }
    const action = before.length === 0 ? "grant" : after.length === 0 ? "revoke" : "update";
    context.changes.push({
      target: "pulsar",
      action,
      principal: role,
      resource,
      before: show(level, before),
      after: show(level, after),
      narrows,
      reason,
      operation: operationFor(level, name, role, after, unload),
    });
  }
}

const TENANT_ADMIN = ["admin"];

/** Whether every role holds exactly what the policy wants here, and no other role holds anything. */
function inSync(
  level: Level,
  actualRoles: RoleActions,
  wantedRoles: ReadonlyMap<string, Want> | undefined,
): boolean {
  const roles = Object.keys(actualRoles);
  if (roles.length !== (wantedRoles?.size ?? 0)) return false;
  for (const role of roles) {
    const want = wantedRoles?.get(role);
    if (want === undefined) return false;
    if (!sameSet(actualRoles[role] ?? [], level === "tenant" ? TENANT_ADMIN : want.actions)) return false;
  }
  return true;
}

function operationFor(
  level: Level,
  name: string,
  role: string,
  after: readonly string[],
  unload: string[],
): PulsarOperation {
  const revoke = after.length === 0;
  switch (level) {
    case "namespace":
      return revoke
        ? { op: "revoke-namespace-permission", namespace: name, role, unload }
        : { op: "set-namespace-permission", namespace: name, role, actions: [...after] };
    case "topic":
      return revoke
        ? { op: "revoke-topic-permission", topic: name, role, unload }
        : { op: "set-topic-permission", topic: name, role, actions: [...after] };
    case "tenant":
      return revoke
        ? { op: "remove-tenant-admin", tenant: name, role, unload }
        : { op: "add-tenant-admin", tenant: name, role };
  }
}

function show(level: Level, actions: readonly string[]): PlannedChange["before"] {
  if (actions.length === 0) return null;
  return level === "tenant" ? "tenant admin" : [...actions];
}

function retiredReason(person: Person | undefined): string {
  if (person === undefined)
    return "deprovisioned: a former user name of a person, or a person no longer in the policy";
  if (person.deleted !== undefined)
    return `deprovisioned: ${person.userName} was deleted at ${person.deleted}`;
  if (!person.active) return `deprovisioned: ${person.userName} is deactivated`;
  return `deprovisioned: a former user name of ${person.userName}`;
}

function tenantNamespaces(actual: PulsarActual, tenant: string): string[] {
  return Object.keys(actual.namespaces).filter((name) => name.startsWith(`${tenant}/`));
}

function summarise(context: Context): string[] {
  const notices: string[] = [];
  const list = (items: readonly string[]): string =>
    items.length <= 3 ? items.join(", ") : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
  for (const [role, resources] of [...context.protectedKept].sort()) {
    notices.push(
      `protected: ${role} keeps its access on ${list(resources)} (pulsar.protectedPrincipals); it is never revoked`,
    );
  }
  for (const [role, resources] of [...context.unmanaged].sort()) {
    notices.push(
      `unmanaged: ${role} holds access the policy does not know about on ${list(resources)}; left alone because pulsar.prune is false`,
    );
  }
  for (const [role, namespaces] of [...context.unloads].sort()) {
    notices.push(
      `unload: after revoking ${role}, apply unloads ${list([...namespaces].sort())} so its live producers and consumers must re-authorize`,
    );
  }
  for (const [name, auth] of Object.entries(context.actual.namespaces)) {
    for (const [subscription, roles] of Object.entries(auth.subscriptions)) {
      for (const role of roles.filter((each) => context.access.retired.has(each))) {
        notices.push(
          `subscription roles: ${role} is still listed on subscription ${subscription} of ${name}; that list restricts consumers (it grants nothing) and is left as it is`,
        );
      }
    }
  }
  return notices;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, [value]);
  else if (!existing.includes(value)) existing.push(value);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // A loop, not every() with a closure: this runs once per role and resource on an in-sync cluster.
  for (const item of a) if (!b.includes(item)) return false;
  return true;
}
