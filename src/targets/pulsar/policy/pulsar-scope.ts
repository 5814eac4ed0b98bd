import type { PulsarRoleEntry, PulsarSettings } from "./pulsar-model.js";

/**
 * Whether a Pulsar role entry lies inside the namespaces scim-gitops manages. Entries outside it are
 * ignored by compile (validation reports them), so apply can never touch anything it does not own.
 */
export function isPulsarEntryManaged(entry: PulsarRoleEntry, settings: PulsarSettings): boolean {
  switch (entry.kind) {
    case "tenantAdmin":
      return isTenantManaged(entry.tenant, settings);
    case "namespace":
      return isNamespaceManaged(entry.namespace, settings);
    case "topic": {
      const namespace = topicNamespace(entry.topic);
      return namespace !== undefined && isNamespaceManaged(namespace, settings);
    }
  }
}

/** Tenant admin roles are managed only where the whole tenant is. */
export function isTenantManaged(tenant: string, settings: PulsarSettings): boolean {
  return settings.manage.tenants.includes(tenant);
}

export function isNamespaceManaged(namespace: string, settings: PulsarSettings): boolean {
  const tenant = namespace.split("/")[0] ?? "";
  return isTenantManaged(tenant, settings) || settings.manage.namespaces.includes(namespace);
}

/** `persistent://acme/payments/ledger` → `acme/payments`; undefined for anything not of that form. */
export function topicNamespace(topic: string): string | undefined {
  const match = /^(?:persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/.+$/.exec(topic);
  return match === null ? undefined : `${match[1]}/${match[2]}`;
}
