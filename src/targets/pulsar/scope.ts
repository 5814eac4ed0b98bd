import type { PulsarSettings } from "../../policy/model.js";

/** What settings put under scim-gitops's control on Pulsar (DESIGN §3 `pulsar.manage`). */

export function isManagedNamespace(settings: PulsarSettings, namespace: string): boolean {
  const slash = namespace.indexOf("/");
  const tenant = slash < 0 ? namespace : namespace.slice(0, slash);
  return settings.manage.tenants.includes(tenant) || settings.manage.namespaces.includes(namespace);
}

/** Tenant admin roles are managed only where the whole tenant is. */
export function isManagedTenant(settings: PulsarSettings, tenant: string): boolean {
  return settings.manage.tenants.includes(tenant);
}

/** `persistent://acme/payments/ledger` → `acme/payments`; undefined when it is not a full topic name. */
export function namespaceOfTopic(topic: string): string | undefined {
  const match = /^(?:persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/.+$/.exec(topic);
  return match === null ? undefined : `${match[1]}/${match[2]}`;
}

/** Path segments of a topic's permission endpoint: domain, tenant, namespace, local name. */
export function topicSegments(topic: string): string[] {
  const match = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(topic);
  if (match === null)
    throw new Error(`${topic} is not a full topic name (persistent://tenant/namespace/topic)`);
  return [match[1] ?? "", match[2] ?? "", match[3] ?? "", match[4] ?? ""];
}
