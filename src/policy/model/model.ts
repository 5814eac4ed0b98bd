/**
 * The policy as loaded and normalised (DESIGN §3, format v1). Every part carries where it was written so
 * that diagnostics, provenance and explanations can point a person at `file:line:col`.
 */

export interface SourceLocation {
  /** Path as the operator knows it, e.g. `policies/access/payments.yaml`. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly severity: Severity;
  readonly at: SourceLocation;
  /** What is wrong, then what to do about it. */
  readonly message: string;
}

export const PULSAR_ACTIONS = ["produce", "consume", "functions", "sources", "sinks", "packages"] as const;
export type PulsarAction = (typeof PULSAR_ACTIONS)[number];

export type PulsarRoleEntry =
  | {
      readonly kind: "namespace";
      readonly namespace: string;
      readonly actions: readonly PulsarAction[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: "topic";
      readonly topic: string;
      readonly actions: readonly PulsarAction[];
      readonly at: SourceLocation;
    }
  | { readonly kind: "tenantAdmin"; readonly tenant: string; readonly at: SourceLocation };

/** NATS's own shape: a bare list in the YAML means `allow`. */
export interface SubjectPermissions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export interface NatsRoleEntry {
  readonly account: string;
  readonly publish: SubjectPermissions;
  readonly subscribe: SubjectPermissions;
  readonly at: SourceLocation;
}

export interface Role {
  readonly name: string;
  readonly description?: string;
  readonly pulsar: readonly PulsarRoleEntry[];
  readonly nats: readonly NatsRoleEntry[];
  readonly at: SourceLocation;
}

export interface BindingSubject {
  readonly kind: "group" | "user";
  /** Group displayName or user userName, as written. */
  readonly name: string;
}

export interface Binding {
  readonly subject: BindingSubject;
  readonly roles: readonly string[];
  /** `YYYY-MM-DD`; the binding gives nothing from the start of the next day (UTC). */
  readonly expires?: string;
  readonly at: SourceLocation;
}

export interface UserIdentity {
  /** File name without `.yaml`; stable for the life of the identity. */
  readonly slug: string;
  readonly id: string;
  readonly externalId?: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly active: boolean;
  /** Primary first. */
  readonly emails: readonly string[];
  readonly formerUserNames: readonly string[];
  /** ISO timestamp of a SCIM DELETE: the file is a tombstone. */
  readonly deleted?: string;
  readonly at: SourceLocation;
}

export interface GroupIdentity {
  readonly slug: string;
  readonly id: string;
  readonly externalId?: string;
  readonly displayName: string;
  /** userNames, sorted. */
  readonly members: readonly string[];
  readonly at: SourceLocation;
}

/** `25%` or a plain count. */
export type RevocationLimit = { readonly percent: number } | { readonly count: number };

export interface PulsarSettings {
  /** Template over user fields: `{userName}`, `{id}`, `{externalId}`, `{emails[0]}`. */
  readonly principal: string;
  readonly manage: { readonly tenants: readonly string[]; readonly namespaces: readonly string[] };
  readonly protectedPrincipals: readonly string[];
  readonly unloadOnRevoke: boolean;
  readonly prune: boolean;
}

export interface NatsSettings {
  readonly principal: string;
  readonly manage: { readonly accounts: readonly string[] };
  readonly protectedPrincipals: readonly string[];
  readonly bucket: string;
}

export type EmergencyTrigger = "deactivated" | "deleted" | "removed-from-group";
export type EmergencyMerge = "direct" | "auto" | "off";

export interface Settings {
  readonly version: 1;
  /** Absent: the policy manages nothing on Pulsar. */
  readonly pulsar?: PulsarSettings;
  readonly nats?: NatsSettings;
  readonly guards: { readonly maxRevocations: RevocationLimit; readonly minRevocations: number };
  readonly emergency: { readonly triggers: readonly EmergencyTrigger[]; readonly merge: EmergencyMerge };
  readonly at: SourceLocation;
}

export interface Policy {
  readonly settings: Settings;
  /** By role name. */
  readonly roles: ReadonlyMap<string, Role>;
  readonly bindings: readonly Binding[];
  readonly users: readonly UserIdentity[];
  readonly groups: readonly GroupIdentity[];
}

/**
 * A policy directory's files, keyed by path relative to the policy directory (`settings.yaml`,
 * `access/payments.yaml`, `identities/users/alice-example-com.yaml`). Reading them is an adapter's job,
 * so everything in `policy/` stays pure.
 */
export type PolicyFiles = ReadonlyMap<string, string>;
