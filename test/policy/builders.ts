import type {
  Binding,
  GroupIdentity,
  NatsRoleEntry,
  Policy,
  PulsarAction,
  PulsarRoleEntry,
  Role,
  Settings,
  SourceLocation,
  UserIdentity,
} from "../../src/policy/model/model.js";
import { slugify } from "../../src/policy/identities/slug.js";

/**
 * In-memory builders for the loaded policy, so the pure core is tested without YAML or a disk. Locations
 * come from a per-file line counter, giving every entry a distinct, stable `file:line`.
 */
const lineCounters = new Map<string, number>();

export function resetLines(): void {
  lineCounters.clear();
}

export function at(file: string, line?: number): SourceLocation {
  const next = line ?? (lineCounters.get(file) ?? 0) + 1;
  lineCounters.set(file, Math.max(next, lineCounters.get(file) ?? 0));
  return { file, line: next, col: 3 };
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    version: 1,
    pulsar: {
      principal: "{userName}",
      manage: { tenants: ["acme"], namespaces: ["shared/events"] },
      protectedPrincipals: ["admin"],
      unloadOnRevoke: true,
      prune: false,
    },
    nats: {
      principal: "{userName}",
      manage: { accounts: ["APP", "PAYMENTS"] },
      protectedPrincipals: ["admin"],
      bucket: "scim-gitops-access",
    },
    guards: { maxRevocations: { percent: 25 }, minRevocations: 5 },
    emergency: { triggers: ["deactivated", "deleted"], merge: "direct" },
    at: at("settings.yaml", 1),
    ...overrides,
  };
}

export function user(userName: string, overrides: Partial<UserIdentity> = {}): UserIdentity {
  return {
    slug: slugify(userName),
    id: `id-${slugify(userName)}`,
    userName,
    active: true,
    emails: userName.includes("@") ? [userName] : [],
    formerUserNames: [],
    at: at(`identities/users/${slugify(userName)}.yaml`, 1),
    ...overrides,
  };
}

export function group(displayName: string, members: readonly string[]): GroupIdentity {
  return {
    slug: slugify(displayName),
    id: `gid-${slugify(displayName)}`,
    displayName,
    members: [...members].sort(),
    at: at(`identities/groups/${slugify(displayName)}.yaml`, 1),
  };
}

const ACCESS_FILE = "access/teams.yaml";

export function namespaceGrant(namespace: string, actions: readonly PulsarAction[]): PulsarRoleEntry {
  return { kind: "namespace", namespace, actions, at: at(ACCESS_FILE) };
}

export function topicGrant(topic: string, actions: readonly PulsarAction[]): PulsarRoleEntry {
  return { kind: "topic", topic, actions, at: at(ACCESS_FILE) };
}

export function tenantAdmin(tenant: string): PulsarRoleEntry {
  return { kind: "tenantAdmin", tenant, at: at(ACCESS_FILE) };
}

export function natsGrant(
  account: string,
  publish: readonly string[] | { allow?: readonly string[]; deny?: readonly string[] },
  subscribe: readonly string[] | { allow?: readonly string[]; deny?: readonly string[] } = [],
): NatsRoleEntry {
  const permissions = (value: typeof publish) =>
    Array.isArray(value)
      ? { allow: value as readonly string[], deny: [] }
      : {
          allow: (value as { allow?: readonly string[] }).allow ?? [],
          deny: (value as { deny?: readonly string[] }).deny ?? [],
        };
  return { account, publish: permissions(publish), subscribe: permissions(subscribe), at: at(ACCESS_FILE) };
}

export function role(
  name: string,
  grants: { pulsar?: readonly PulsarRoleEntry[]; nats?: readonly NatsRoleEntry[]; description?: string },
): Role {
  return {
    name,
    ...(grants.description === undefined ? {} : { description: grants.description }),
    pulsar: grants.pulsar ?? [],
    nats: grants.nats ?? [],
    at: at(ACCESS_FILE),
  };
}

/** `group:payments-engineers` or `user:alice@example.com`. */
export function binding(subject: string, roles: readonly string[], expires?: string): Binding {
  const [kind, ...rest] = subject.split(":");
  if (kind !== "group" && kind !== "user")
    throw new Error(`binding subject ${subject}: use group:… or user:…`);
  return {
    subject: { kind, name: rest.join(":") },
    roles,
    ...(expires === undefined ? {} : { expires }),
    at: at(ACCESS_FILE),
  };
}

export function policy(parts: {
  settings?: Settings;
  roles?: readonly Role[];
  bindings?: readonly Binding[];
  users?: readonly UserIdentity[];
  groups?: readonly GroupIdentity[];
}): Policy {
  return {
    settings: parts.settings ?? settings(),
    roles: new Map((parts.roles ?? []).map((entry) => [entry.name, entry])),
    bindings: parts.bindings ?? [],
    users: parts.users ?? [],
    groups: parts.groups ?? [],
  };
}

/**
 * A small realistic policy: payments and data teams, a protected admin, a direct exception with an
 * expiry, an inactive user and a tombstone.
 */
export function teamPolicy(): Policy {
  resetLines();
  const roles = [
    role("payments-writer", {
      description: "Produce and consume payment events",
      pulsar: [
        namespaceGrant("acme/payments", ["produce", "consume"]),
        topicGrant("persistent://acme/payments/ledger", ["consume"]),
      ],
      nats: [natsGrant("PAYMENTS", ["payments.>"], ["payments.>", "_INBOX.>"])],
    }),
    role("payments-reader", {
      pulsar: [namespaceGrant("acme/payments", ["consume"])],
      nats: [natsGrant("PAYMENTS", { allow: [], deny: ["payments.>"] }, ["payments.>", "_INBOX.>"])],
    }),
    role("events-reader", {
      pulsar: [namespaceGrant("shared/events", ["consume"])],
      nats: [natsGrant("APP", { allow: ["app.events.>"], deny: ["app.events.secret"] }, ["app.>"])],
    }),
    role("platform-admin", { pulsar: [tenantAdmin("acme")] }),
  ];
  const users = [
    user("alice@example.com", { displayName: "Alice Example" }),
    user("bob@example.com", { displayName: "Bob Builder" }),
    user("carol@example.com", { displayName: "Carol Data" }),
    user("dave@example.com", { displayName: "Dave Gone", active: false }),
    user("erin@example.com", { active: false, deleted: "2026-11-01T09:00:00.000Z" }),
    user("admin", { displayName: "Break glass" }),
  ];
  const groups = [
    group("payments-engineers", ["alice@example.com", "bob@example.com", "dave@example.com"]),
    group("data-analysts", ["carol@example.com", "erin@example.com"]),
    group("platform", ["admin", "bob@example.com"]),
  ];
  const bindings = [
    binding("group:payments-engineers", ["payments-writer", "events-reader"]),
    binding("group:data-analysts", ["payments-reader", "events-reader"]),
    binding("group:platform", ["platform-admin"]),
    binding("user:carol@example.com", ["payments-writer"], "2026-12-31"),
  ];
  return policy({ roles, users, groups, bindings });
}
