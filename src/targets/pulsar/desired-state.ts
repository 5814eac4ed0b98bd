import type { EffectiveAccess, Provenance } from "../../policy/model/effective-access.js";
import type { PulsarResource, PulsarSettings } from "./policy/pulsar-model.js";
import { pulsarPolicy } from "./policy/pulsar-policy.js";
import type { PulsarActual } from "./actual-state.js";
import { isNamespaceManaged, isTenantManaged, topicNamespace } from "./policy/pulsar-scope.js";

export interface Want {
  readonly actions: readonly string[];
  readonly because: readonly Provenance[];
}

/** What the policy wants inside the managed scope, per level, keyed like the actual state. */
export interface PulsarDesired {
  readonly namespaces: Map<string, Map<string, Want>>;
  readonly topics: Map<string, Map<string, Want>>;
  readonly tenantAdmins: Map<string, Map<string, Want>>;
  readonly notices: string[];
}

type Placement =
  | { readonly kind: "out-of-scope" | "absent"; readonly what: string }
  | { readonly kind: "tenant" | "namespace" | "topic" };

/** Where a grant on `resource` goes: its level in the plan, or why it is not written. */
function placeResource(resource: PulsarResource, settings: PulsarSettings, actual: PulsarActual): Placement {
  const { kind, name } = resource;
  if (kind === "tenant") {
    if (!isTenantManaged(name, settings)) return { kind: "out-of-scope", what: `tenant ${name}` };
    if (actual.tenants[name] === undefined) return { kind: "absent", what: `tenant ${name}` };
    return { kind: "tenant" };
  }
  const namespace = kind === "namespace" ? name : topicNamespace(name);
  if (namespace === undefined || !isNamespaceManaged(namespace, settings))
    return { kind: "out-of-scope", what: `${kind} ${name}` };
  if (actual.namespaces[namespace] === undefined) return { kind: "absent", what: `namespace ${namespace}` };
  return { kind };
}

/** A resource's placement, and once a grant on it is written, the roles map of its level and name. */
interface Placed {
  readonly placement: Placement;
  roles: Map<string, Want> | undefined;
}

/** The roles wanted at `key` on a level, created on the first grant written there. */
function rolesAt(level: Map<string, Map<string, Want>>, key: string): Map<string, Want> {
  let roles = level.get(key);
  if (roles === undefined) {
    roles = new Map<string, Want>();
    level.set(key, roles);
  }
  return roles;
}

export function selectDesired(
  desired: EffectiveAccess,
  settings: PulsarSettings,
  actual: PulsarActual,
): PulsarDesired {
  const result: PulsarDesired = {
    namespaces: new Map(),
    topics: new Map(),
    tenantAdmins: new Map(),
    notices: [],
  };
  const outOfScope = new Set<string>();
  const absent = new Set<string>();
  const protectedWanted = new Set<string>();
  const protectedRoles = new Set(settings.protectedPrincipals);

  // Grants share their resource objects: each is placed (or found out of scope) once, not per principal,
  // and keeps the roles map its grants go into, so writing one is a single Map.set.
  const placements = new Map<PulsarResource, Placed>();

  const wanted = pulsarPolicy.accessOf(desired).principals;
  for (const principal of [...wanted.keys()].sort()) {
    const access = wanted.get(principal);
    if (access === undefined) continue;
    if (protectedRoles.has(principal)) {
      protectedWanted.add(principal);
      continue;
    }
    for (const grant of access.grants) {
      let placed = placements.get(grant.resource);
      if (placed === undefined) {
        placed = { placement: placeResource(grant.resource, settings, actual), roles: undefined };
        placements.set(grant.resource, placed);
      }
      const { placement } = placed;
      // A compiled grant is a Want as it is: actions sorted and deduplicated (mergePulsarGrants), provenance.
      switch (placement.kind) {
        case "out-of-scope":
          outOfScope.add(placement.what);
          break;
        case "absent":
          absent.add(placement.what);
          break;
        case "tenant":
          placed.roles ??= rolesAt(result.tenantAdmins, grant.resource.name);
          placed.roles.set(principal, grant);
          break;
        case "namespace":
        case "topic":
          if (grant.actions.length === 0) break;
          placed.roles ??= rolesAt(
            placement.kind === "namespace" ? result.namespaces : result.topics,
            grant.resource.name,
          );
          placed.roles.set(principal, grant);
      }
    }
  }

  for (const resource of [...outOfScope].sort()) {
    result.notices.push(
      `outside the managed scope: the policy grants on ${resource}, which settings.yaml pulsar.manage does not list; nothing is written there`,
    );
  }
  for (const resource of [...absent].sort()) {
    result.notices.push(
      `missing: ${resource} does not exist on the cluster; create it, then apply again to write its grants`,
    );
  }
  for (const principal of [...protectedWanted].sort()) {
    result.notices.push(
      `protected: ${principal} is in pulsar.protectedPrincipals, so bindings cannot grant it anything; remove the binding`,
    );
  }
  return result;
}
