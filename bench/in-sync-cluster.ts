/**
 * A cluster that already holds what a policy grants, written straight into the Pulsar fake's state (as if a
 * past apply had run), so a benchmark starts from "in sync" without minutes of setup writes.
 */
import type { EffectiveAccess } from "../src/policy/model/effective-access.js";
import type { Settings } from "../src/policy/model/model.js";
import { pulsarPolicy } from "../src/targets/pulsar/policy/pulsar-policy.js";
import type { FakePulsarAdmin } from "../test/fakes/pulsar-admin/server.js";

/** Creates the managed tenants and namespaces and writes every desired grant; returns the grants written. */
export function seedPulsarInSync(
  fake: FakePulsarAdmin,
  desired: EffectiveAccess,
  settings: Settings,
): number {
  const pulsar = pulsarPolicy.settingsOf(settings);
  for (const tenant of pulsar?.manage.tenants ?? []) fake.state.addTenant(tenant, ["admin"]);
  for (const name of pulsar?.manage.namespaces ?? []) fake.state.addNamespace(name);
  let grants = 0;
  for (const [principal, access] of pulsarPolicy.accessOf(desired).principals) {
    for (const grant of access.grants) {
      const { kind, name } = grant.resource;
      if (kind === "tenant") {
        fake.state.tenants.get(name)?.adminRoles.add(principal);
        continue;
      }
      const namespace = kind === "namespace" ? name : name.replace(/^[a-z-]+:\/\/([^/]+\/[^/]+)\/.*$/, "$1");
      if (!fake.state.namespaces.has(namespace)) fake.state.addNamespace(namespace);
      if (kind === "namespace") fake.state.grantNamespace(name, principal, [...grant.actions]);
      else fake.state.grantTopic(name, principal, [...grant.actions]);
      grants++;
    }
  }
  return grants;
}

/** The namespaces and topics where `principal` holds grants, as `tenant/namespace` (topics by namespace). */
export function grantedNamespaces(desired: EffectiveAccess, principal: string): string[] {
  const names = new Set<string>();
  for (const grant of pulsarPolicy.accessOf(desired).principals.get(principal)?.grants ?? []) {
    const { kind, name } = grant.resource;
    if (kind === "namespace") names.add(name);
    else if (kind === "topic") names.add(name.replace(/^[a-z-]+:\/\/([^/]+\/[^/]+)\/.*$/, "$1"));
  }
  return [...names].sort();
}
