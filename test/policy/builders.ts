import type {
  Binding,
  GroupIdentity,
  Policy,
  Role,
  Settings,
  SourceLocation,
  UserIdentity,
} from "../../src/policy/model/model.js";
import type { TargetEntry, TargetSettings } from "../../src/policy/targets/target-policy.js";
import { slugify } from "../../src/policy/identities/slug.js";
import type { NatsRoleEntry, NatsSettings } from "../../src/targets/nats/policy/nats-model.js";
import type {
  PulsarAction,
  PulsarRoleEntry,
  PulsarSettings,
} from "../../src/targets/pulsar/policy/pulsar-model.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";
import type { PolicyTargets } from "../../src/policy/targets/policy-targets.js";

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

export const PULSAR_SETTINGS: PulsarSettings = {
  principal: "{userName}",
  manage: { tenants: ["acme"], namespaces: ["shared/events"] },
  protectedPrincipals: ["admin"],
  unloadOnRevoke: true,
  prune: false,
};

export const NATS_SETTINGS: NatsSettings = {
  principal: "{userName}",
  manage: { accounts: ["APP", "PAYMENTS"] },
  protectedPrincipals: ["admin"],
  bucket: "scim-gitops-access",
};

/**
 * Settings managing Pulsar and NATS as above; a target set to `undefined` has no section. Other targets'
 * sections go under `targets`, in order after Pulsar and NATS.
 */
export function settings(
  overrides: Partial<Omit<Settings, "targets">> & {
    pulsar?: PulsarSettings | undefined;
    nats?: NatsSettings | undefined;
    targets?: ReadonlyMap<string, TargetSettings>;
  } = {},
): Settings {
  const { pulsar, nats, targets, ...rest } = {
    pulsar: PULSAR_SETTINGS,
    nats: NATS_SETTINGS,
    ...overrides,
  };
  const sections = new Map<string, TargetSettings>();
  if (pulsar !== undefined) sections.set("pulsar", pulsar);
  if (nats !== undefined) sections.set("nats", nats);
  for (const [name, section] of targets ?? []) sections.set(name, section);
  return {
    version: 1,
    targets: sections,
    guards: { maxRevocations: { percent: 25 }, minRevocations: 5 },
    emergency: { triggers: ["deactivated", "deleted"], merge: "direct", expiry: false },
    expiry: { warnWithinDays: 14 },
    at: at("settings.yaml", 1),
    ...rest,
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
  grants: {
    pulsar?: readonly PulsarRoleEntry[];
    nats?: readonly NatsRoleEntry[];
    description?: string;
    /** Other targets' entries, after Pulsar's and NATS's. */
    entries?: ReadonlyMap<string, readonly TargetEntry[]>;
  },
): Role {
  return {
    name,
    ...(grants.description === undefined ? {} : { description: grants.description }),
    entries: new Map<string, readonly TargetEntry[]>([
      ["pulsar", grants.pulsar ?? []],
      ["nats", grants.nats ?? []],
      ...(grants.entries ?? []),
    ]),
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
  targets?: PolicyTargets;
  settings?: Settings;
  roles?: readonly Role[];
  bindings?: readonly Binding[];
  users?: readonly UserIdentity[];
  groups?: readonly GroupIdentity[];
}): Policy {
  return {
    targets: parts.targets ?? POLICY_TARGETS,
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
