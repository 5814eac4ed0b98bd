import { VALID_ACTIONS, type FakePulsarState } from "./state.js";

/** What a request asks for, after authentication: the role behind the token and the decoded path. */
export interface FakeCall {
  readonly method: string;
  /** Path segments after `/admin/v2`, decoded the way the broker does (raw `+` is a space). */
  readonly segments: readonly string[];
  readonly role: string;
  readonly body: unknown;
}

export interface FakeReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

export interface Rights {
  readonly superUserRoles: ReadonlySet<string>;
}

const noContent: FakeReply = { status: 204 };
const reason = (status: number, message: string): FakeReply => ({ status, json: { reason: message } });
const SUPERUSER_ONLY = reason(401, "This operation requires super-user access");
const NOT_TENANT_ADMIN = reason(401, "Don't have permission to administrate resources on this tenant");
const NOT_FOUND = reason(404, "HTTP 404 Not Found");
const METHOD_NOT_ALLOWED = reason(405, "HTTP 405 Method Not Allowed");

/** Pulsar 3.x rules (reference §2.2, §2.3): superuser for tenants and unload, tenant admin for the rest. */
export function route(state: FakePulsarState, rights: Rights, call: FakeCall): FakeReply {
  const [head, ...rest] = call.segments;
  const isSuper = rights.superUserRoles.has(call.role);
  const isAdmin = (tenant: string): boolean =>
    isSuper || (state.tenants.get(tenant)?.adminRoles.has(call.role) ?? false);

  if (head === "clusters" && rest.length === 0 && call.method === "GET")
    return { status: 200, json: ["standalone"] };
  if (head === "tenants") return tenants(state, call, rest, isSuper, isAdmin);
  if (head === "namespaces") return namespaces(state, call, rest, isSuper, isAdmin);
  if (head === "persistent" || head === "non-persistent") return topics(state, call, head, rest, isAdmin);
  return NOT_FOUND;
}

function tenants(
  state: FakePulsarState,
  call: FakeCall,
  rest: readonly string[],
  isSuper: boolean,
  isAdmin: (tenant: string) => boolean,
): FakeReply {
  const [tenant, extra] = rest;
  if (tenant === undefined) {
    if (call.method !== "GET") return METHOD_NOT_ALLOWED;
    return isSuper ? { status: 200, json: [...state.tenants.keys()].sort() } : SUPERUSER_ONLY;
  }
  if (extra !== undefined) return NOT_FOUND;
  const found = state.tenants.get(tenant);
  if (call.method === "GET") {
    if (!isAdmin(tenant)) return NOT_TENANT_ADMIN;
    if (found === undefined) return reason(404, "Tenant does not exist");
    return {
      status: 200,
      json: {
        adminRoles: state.shuffle([...found.adminRoles]),
        allowedClusters: state.shuffle([...found.allowedClusters]),
      },
    };
  }
  if (!isSuper) return SUPERUSER_ONLY;
  const info = call.body as { adminRoles?: unknown; allowedClusters?: unknown } | undefined;
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  if (call.method === "PUT" || call.method === "POST") {
    if (call.method === "PUT" && found !== undefined) return reason(409, "Tenant already exist");
    if (call.method === "POST" && found === undefined) return reason(404, `Tenant ${tenant} not found`);
    if (list(info?.allowedClusters).length === 0) return reason(412, "Clusters can not be empty");
    state.addTenant(tenant, list(info?.adminRoles), list(info?.allowedClusters));
    return noContent;
  }
  if (call.method === "DELETE") {
    if (found === undefined) return reason(404, "Tenant does not exist");
    if ([...state.namespaces.keys()].some((name) => name.startsWith(`${tenant}/`))) {
      return reason(409, "The tenant still has active namespaces");
    }
    state.tenants.delete(tenant);
    return noContent;
  }
  return METHOD_NOT_ALLOWED;
}

function namespaces(
  state: FakePulsarState,
  call: FakeCall,
  rest: readonly string[],
  isSuper: boolean,
  isAdmin: (tenant: string) => boolean,
): FakeReply {
  const [tenant = "", local, section, role, extra] = rest;
  if (local === undefined) {
    if (call.method !== "GET") return METHOD_NOT_ALLOWED;
    if (!isAdmin(tenant)) return NOT_TENANT_ADMIN;
    if (!state.tenants.has(tenant)) return reason(404, "Tenant does not exist");
    return {
      status: 200,
      json: state.shuffle([...state.namespaces.keys()].filter((name) => name.startsWith(`${tenant}/`))),
    };
  }
  const name = `${tenant}/${local}`;
  const forbidden = (operation: string): FakeReply =>
    reason(
      403,
      `Unauthorized to validateNamespaceOperation for operation [${operation}] on namespace [${name}]`,
    );
  const ns = state.namespaces.get(name);

  if (section === undefined) {
    if (call.method === "GET") {
      if (!isAdmin(tenant)) return forbidden("GET_POLICIES");
      return ns === undefined
        ? reason(404, "Namespace does not exist")
        : { status: 200, json: state.policiesJson(name) };
    }
    if (call.method === "PUT") {
      if (!isAdmin(tenant)) return NOT_TENANT_ADMIN;
      if (!state.tenants.has(tenant)) return reason(404, "Tenant does not exist");
      if (ns !== undefined) return reason(409, "Namespace already exists");
      state.addNamespace(name);
      return noContent;
    }
    return METHOD_NOT_ALLOWED;
  }
  if (section === "unload" && role === undefined && call.method === "PUT") {
    if (!isSuper) return SUPERUSER_ONLY;
    if (ns === undefined) return reason(404, "Namespace does not exist");
    ns.unloads++;
    return noContent;
  }
  if (section !== "permissions") return NOT_FOUND;
  if (!isAdmin(tenant))
    return forbidden(
      call.method === "GET"
        ? "GET_PERMISSION"
        : call.method === "POST"
          ? "GRANT_PERMISSION"
          : "REVOKE_PERMISSION",
    );
  if (ns === undefined) return reason(404, "Namespace does not exist");
  if (role === undefined && call.method === "GET") {
    return {
      status: 200,
      json: Object.fromEntries([...ns.namespaceAuth].map(([r, set]) => [r, state.shuffle([...set])])),
    };
  }
  if (role === undefined) return METHOD_NOT_ALLOWED;
  if (extra !== undefined && call.method === "DELETE") {
    // DELETE …/permissions/{subscription}/{role}: fire-and-forget on a real broker (204 whatever happened).
    ns.subscriptionAuthRoles.get(role)?.delete(extra);
    return noContent;
  }
  if (call.method === "POST") {
    const actions = parseActions(call.body);
    if (typeof actions === "string") return reason(400, actions);
    ns.namespaceAuth.set(role, new Set(actions));
    return noContent;
  }
  if (call.method === "DELETE") {
    ns.namespaceAuth.delete(role);
    return noContent;
  }
  return METHOD_NOT_ALLOWED;
}

function topics(
  state: FakePulsarState,
  call: FakeCall,
  domain: string,
  rest: readonly string[],
  isAdmin: (tenant: string) => boolean,
): FakeReply {
  const [tenant = "", local = "", topicName, section, role] = rest;
  if (topicName === undefined || section !== "permissions") return NOT_FOUND;
  const topic = `${domain}://${tenant}/${local}/${topicName}`;
  if (!isAdmin(tenant)) return reason(401, "Don't have permission to administrate resources on this tenant");
  const ns = state.namespaces.get(`${tenant}/${local}`);
  if (ns === undefined) return reason(404, "Namespace does not exist");
  const roles = ns.destinationAuth.get(topic);
  if (role === undefined) {
    if (call.method !== "GET") return METHOD_NOT_ALLOWED;
    const merged = new Map(ns.namespaceAuth);
    for (const [r, set] of roles ?? []) merged.set(r, new Set([...(merged.get(r) ?? []), ...set]));
    return {
      status: 200,
      json: Object.fromEntries([...merged].map(([r, set]) => [r, state.shuffle([...set])])),
    };
  }
  if (call.method === "POST") {
    const actions = parseActions(call.body);
    if (typeof actions === "string") return reason(400, actions);
    state.grantTopic(topic, role, actions);
    return noContent;
  }
  if (call.method === "DELETE") {
    if (roles?.has(role) !== true) return reason(412, "Permissions are not set at the topic level");
    roles.delete(role);
    if (roles.size === 0) ns.destinationAuth.delete(topic);
    return noContent;
  }
  return METHOD_NOT_ALLOWED;
}

function parseActions(body: unknown): string[] | string {
  if (!Array.isArray(body)) return "Request body must be a JSON array of actions";
  const bad = body.find((action) => typeof action !== "string" || !VALID_ACTIONS.has(action));
  return bad === undefined ? (body as string[]) : `Unknown action ${JSON.stringify(bad)}`;
}
