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
  return scopeOf(settings).tenants.has(tenant);
}

export function isNamespaceManaged(namespace: string, settings: PulsarSettings): boolean {
  const scope = scopeOf(settings);
  const slash = namespace.indexOf("/");
  const tenant = slash < 0 ? namespace : namespace.slice(0, slash);
  return scope.tenants.has(tenant) || scope.namespaces.has(namespace);
}

const TOPIC = /^(?:persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/.+$/;

/** `persistent://acme/payments/ledger` → `acme/payments`; undefined for anything not of that form. */
export function topicNamespace(topic: string): string | undefined {
  const match = TOPIC.exec(topic);
  return match === null ? undefined : `${match[1]}/${match[2]}`;
}

interface ManagedScope {
  readonly tenants: ReadonlySet<string>;
  readonly namespaces: ReadonlySet<string>;
}

/** Settings are immutable values: their scope is turned into sets once, not searched per grant. */
const scopes = new WeakMap<PulsarSettings["manage"], ManagedScope>();

function scopeOf(settings: PulsarSettings): ManagedScope {
  let scope = scopes.get(settings.manage);
  if (scope === undefined) {
    scope = { tenants: new Set(settings.manage.tenants), namespaces: new Set(settings.manage.namespaces) };
    scopes.set(settings.manage, scope);
  }
  return scope;
}
