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

/** Reads never conflict, so they may run wider than writes. */
export const READ_CONCURRENCY = 16;

/**
 * One tenant GET and one namespace list per managed tenant, then one policies GET per managed namespace:
 * the policies hold every grant of the namespace and its topics (reference §2.3), so nothing else is read.
 */
export async function readPulsarActual(
  client: PulsarAdminClient,
  settings: PulsarSettings,
): Promise<PulsarActual> {
  const missing: string[] = [];
  const tenants: Record<string, TenantInfo> = {};
  const namespaceNames = new Set<string>();

  const tenantNames = [...new Set(settings.manage.tenants)].sort();
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
  for (const name of settings.manage.namespaces) namespaceNames.add(name);

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

async function orMissing(read: Promise<unknown>): Promise<unknown> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof PulsarAdminError && error.status === 404) return undefined;
    throw error;
  }
}
