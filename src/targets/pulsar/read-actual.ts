import type { PulsarSettings } from "./policy/pulsar-model.js";
import type { PulsarAdminClient } from "./admin-client.js";
import { PulsarAdminError } from "./admin-errors.js";
import {
  normaliseNamespaceAuth,
  normaliseTenant,
  type NamespaceAuth,
  type PulsarActual,
  type TenantInfo,
} from "./actual-state.js";
import { mapBounded } from "./bounded.js";
import { isNamespaceManaged, isTenantManaged, topicNamespace } from "./policy/pulsar-scope.js";
import type { RevocationScope } from "../target.js";

/** Reads never conflict, so they may run wider than writes. */
export const READ_CONCURRENCY = 16;

/**
 * One tenant GET and one namespace list per managed tenant, then one policies GET per managed namespace:
 * the policies hold every grant of the namespace and its topics (reference §2.3), so nothing else is read.
 * With a revocation scope, only the managed namespaces it names (a topic's by its namespace) and the
 * tenants it names, each with all its namespaces (unloading a former tenant admin's tenant needs them).
 */
export async function readPulsarActual(
  client: PulsarAdminClient,
  settings: PulsarSettings,
  scope?: RevocationScope,
): Promise<PulsarActual> {
  const missing: string[] = [];
  const tenants: Record<string, TenantInfo> = {};
  const namespaceNames = new Set<string>();

  const tenantNames = [
    ...new Set(scope === undefined ? settings.manage.tenants : scopedTenants(scope, settings)),
  ].sort();
  const tenantReads = await mapBounded(tenantNames, READ_CONCURRENCY, async (tenant) => {
    const info = await orMissing(client.get(["tenants", tenant]));
    if (info === undefined) return { tenant, info: undefined, namespaces: [] as string[] };
    const listed = await orMissing(client.get(["namespaces", tenant]));
    return {
      tenant,
      info: normaliseTenant(info),
      namespaces: Array.isArray(listed) ? listed.map(String) : [],
    };
  });
  for (const read of tenantReads) {
    if (read.info === undefined) {
      missing.push(read.tenant);
      continue;
    }
    tenants[read.tenant] = read.info;
    for (const name of read.namespaces) namespaceNames.add(name);
  }
  const single = scope === undefined ? settings.manage.namespaces : scopedNamespaces(scope, settings);
  for (const name of single) namespaceNames.add(name);

  const sorted = [...namespaceNames].sort();
  const policies = await mapBounded(sorted, READ_CONCURRENCY, async (name) => {
    const [tenant = "", namespace = ""] = name.split("/");
    const read = await orMissing(client.get(["namespaces", tenant, namespace]));
    return read === undefined ? undefined : normaliseNamespaceAuth(read);
  });
  const namespaces: Record<string, NamespaceAuth> = {};
  sorted.forEach((name, index) => {
    const auth = policies[index];
    if (auth === undefined) missing.push(name);
    else namespaces[name] = auth;
  });
  return { namespaces, tenants, missing: missing.sort() };
}

function scopedTenants(scope: RevocationScope, settings: PulsarSettings): string[] {
  return scope.resources
    .filter((resource) => resource.kind === "tenant" && isTenantManaged(resource.name, settings))
    .map((resource) => resource.name);
}

function scopedNamespaces(scope: RevocationScope, settings: PulsarSettings): string[] {
  const names: string[] = [];
  for (const { kind, name } of scope.resources) {
    const namespace = kind === "namespace" ? name : kind === "topic" ? topicNamespace(name) : undefined;
    if (namespace !== undefined && isNamespaceManaged(namespace, settings)) names.push(namespace);
  }
  return names;
}

async function orMissing(read: Promise<unknown>): Promise<unknown> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof PulsarAdminError && error.status === 404) return undefined;
    throw error;
  }
}
