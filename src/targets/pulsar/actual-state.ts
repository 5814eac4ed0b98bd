/**
 * The actual state of the managed scope as read from the admin API: plain JSON with sorted keys and
 * sorted lists (brokers return Java sets in any order), so it fingerprints the same on every read.
 */

/** Role → actions, both sorted. */
export type RoleActions = Readonly<Record<string, readonly string[]>>;

export interface NamespaceAuth {
  /** `auth_policies.namespace_auth`. */
  readonly namespace: RoleActions;
  /** `auth_policies.destination_auth`: grants that live at topic level, by full topic name. */
  readonly topics: Readonly<Record<string, RoleActions>>;
  /** `auth_policies.subscription_auth_roles`: subscription → roles (a restriction, not a grant). */
  readonly subscriptions: Readonly<Record<string, readonly string[]>>;
}

export interface TenantInfo {
  readonly adminRoles: readonly string[];
  readonly allowedClusters: readonly string[];
}

export interface PulsarActual {
  /** By `tenant/namespace`. */
  readonly namespaces: Readonly<Record<string, NamespaceAuth>>;
  /** Managed tenants that exist, by name. */
  readonly tenants: Readonly<Record<string, TenantInfo>>;
  /** Managed tenants or single namespaces the cluster does not have. */
  readonly missing: readonly string[];
}

function normaliseRoleActions(value: unknown): RoleActions {
  const out: Record<string, readonly string[]> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const role of Object.keys(value).sort()) {
    const actions = (value as Record<string, unknown>)[role];
    out[role] = Array.isArray(actions) ? [...new Set(actions.map(String))].sort() : [];
  }
  return out;
}

export function normaliseNamespaceAuth(policies: unknown): NamespaceAuth {
  const auth =
    typeof policies === "object" && policies !== null && "auth_policies" in policies
      ? (policies.auth_policies as Record<string, unknown> | null)
      : null;
  const topics: Record<string, RoleActions> = {};
  const destination = (auth?.destination_auth ?? {}) as Record<string, unknown>;
  for (const topic of Object.keys(destination).sort()) {
    const roles = normaliseRoleActions(destination[topic]);
    if (Object.keys(roles).length > 0) topics[topic] = roles;
  }
  return {
    namespace: normaliseRoleActions(auth?.namespace_auth),
    topics,
    subscriptions: normaliseRoleActions(auth?.subscription_auth_roles),
  };
}

export function normaliseTenant(value: unknown): TenantInfo {
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const list = (field: unknown): string[] =>
    Array.isArray(field) ? [...new Set(field.map(String))].sort() : [];
  return { adminRoles: list(record.adminRoles), allowedClusters: list(record.allowedClusters) };
}
