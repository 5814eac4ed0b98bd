/**
 * The broker-side state the fake admin API serves: tenants and namespace policies with their
 * `auth_policies` (reference §2.3). Sets are Java sets on a real broker, so they come back in any order.
 */

export interface FakeTenant {
  adminRoles: Set<string>;
  allowedClusters: Set<string>;
}

export interface FakeNamespace {
  namespaceAuth: Map<string, Set<string>>;
  destinationAuth: Map<string, Map<string, Set<string>>>;
  subscriptionAuthRoles: Map<string, Set<string>>;
  unloads: number;
}

export const VALID_ACTIONS = new Set(["produce", "consume", "functions", "sources", "sinks", "packages"]);

export class FakePulsarState {
  readonly tenants = new Map<string, FakeTenant>();
  readonly namespaces = new Map<string, FakeNamespace>();
  #seed = 7;

  addTenant(name: string, adminRoles: string[] = [], allowedClusters: string[] = ["standalone"]): this {
    this.tenants.set(name, { adminRoles: new Set(adminRoles), allowedClusters: new Set(allowedClusters) });
    return this;
  }

  addNamespace(name: string): this {
    const tenant = name.split("/")[0] ?? "";
    if (!this.tenants.has(tenant)) this.addTenant(tenant);
    this.namespaces.set(name, {
      namespaceAuth: new Map(),
      destinationAuth: new Map(),
      subscriptionAuthRoles: new Map(),
      unloads: 0,
    });
    return this;
  }

  grantNamespace(name: string, role: string, actions: string[]): this {
    this.namespace(name).namespaceAuth.set(role, new Set(actions));
    return this;
  }

  grantTopic(topic: string, role: string, actions: string[]): this {
    const auth = this.namespace(namespaceOf(topic)).destinationAuth;
    const roles = auth.get(topic) ?? new Map<string, Set<string>>();
    roles.set(role, new Set(actions));
    auth.set(topic, roles);
    return this;
  }

  setSubscriptionRoles(namespace: string, subscription: string, roles: string[]): this {
    this.namespace(namespace).subscriptionAuthRoles.set(subscription, new Set(roles));
    return this;
  }

  namespace(name: string): FakeNamespace {
    const found = this.namespaces.get(name);
    if (found === undefined) throw new Error(`fake: no namespace ${name}`);
    return found;
  }

  /** The policies document a broker returns, with every set and map in a shuffled order. */
  policiesJson(name: string): unknown {
    const ns = this.namespace(name);
    const roleMap = (map: Map<string, Set<string>>): Record<string, string[]> =>
      Object.fromEntries(this.shuffle([...map]).map(([role, set]) => [role, this.shuffle([...set])]));
    return {
      auth_policies: {
        namespace_auth: roleMap(ns.namespaceAuth),
        destination_auth: Object.fromEntries(
          this.shuffle([...ns.destinationAuth]).map(([topic, roles]) => [topic, roleMap(roles)]),
        ),
        subscription_auth_roles: roleMap(ns.subscriptionAuthRoles),
      },
      bundles: { boundaries: ["0x00000000", "0xffffffff"], numBundles: 1 },
      replication_clusters: ["standalone"],
      deleted: false,
    };
  }

  /** A sorted, plain view for assertions. */
  snapshot(): {
    tenants: Record<string, string[]>;
    namespaces: Record<
      string,
      { namespace: Record<string, string[]>; topics: Record<string, Record<string, string[]>> }
    >;
  } {
    const sorted = (map: Map<string, Set<string>>): Record<string, string[]> =>
      Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
    return {
      tenants: Object.fromEntries(
        [...this.tenants].sort().map(([name, t]) => [name, [...t.adminRoles].sort()]),
      ),
      namespaces: Object.fromEntries(
        [...this.namespaces]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, ns]) => [
            name,
            {
              namespace: sorted(ns.namespaceAuth),
              topics: Object.fromEntries(
                [...ns.destinationAuth].sort().map(([topic, roles]) => [topic, sorted(roles)]),
              ),
            },
          ]),
      ),
    };
  }

  shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      this.#seed = (this.#seed * 1103515245 + 12345) % 2147483648;
      const j = this.#seed % (i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

export function namespaceOf(topic: string): string {
  const match = /^[a-z-]+:\/\/([^/]+\/[^/]+)\//.exec(topic);
  if (match === null) throw new Error(`fake: not a topic name: ${topic}`);
  return match[1] ?? "";
}
