import type { EffectiveAccess, Provenance } from "../../policy/model/effective-access.js";
import type { PulsarGrant, PulsarSettings } from "./policy/pulsar-model.js";
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

  const place = (
    level: Map<string, Map<string, Want>>,
    key: string,
    principal: string,
    grant: PulsarGrant,
  ): void => {
    const roles = level.get(key) ?? new Map<string, Want>();
    roles.set(principal, { actions: [...grant.actions].sort(), because: grant.because });
    level.set(key, roles);
  };

  const wanted = pulsarPolicy.accessOf(desired).principals;
  for (const principal of [...wanted.keys()].sort()) {
    const access = wanted.get(principal);
    if (access === undefined) continue;
    if (protectedRoles.has(principal)) {
      protectedWanted.add(principal);
      continue;
    }
    for (const grant of access.grants) {
      const { kind, name } = grant.resource;
      if (kind === "tenant") {
        if (!isTenantManaged(name, settings)) outOfScope.add(`tenant ${name}`);
        else if (actual.tenants[name] === undefined) absent.add(`tenant ${name}`);
        else place(result.tenantAdmins, name, principal, grant);
        continue;
      }
      const namespace = kind === "namespace" ? name : topicNamespace(name);
      if (namespace === undefined || !isNamespaceManaged(namespace, settings))
        outOfScope.add(`${kind} ${name}`);
      else if (actual.namespaces[namespace] === undefined) absent.add(`namespace ${namespace}`);
      else if (grant.actions.length > 0)
        place(kind === "namespace" ? result.namespaces : result.topics, name, principal, grant);
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
