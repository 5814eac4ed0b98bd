import type { PolicyTargets } from "../targets/policy-targets.js";
import type { TargetEntry, TargetSettings } from "../targets/target-policy.js";

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

export interface Role {
  readonly name: string;
  readonly description?: string;
  /**
   * By target name (`pulsar`), in the registry's order, every registered target present (an empty list when
   * the role names none). Each target's part reads its own entries with their type (`entriesOf`).
   */
  readonly entries: ReadonlyMap<string, readonly TargetEntry[]>;
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

export type EmergencyTrigger = "deactivated" | "deleted" | "removed-from-group";
export type EmergencyMerge = "direct" | "auto" | "off";

export interface Settings {
  readonly version: 1;
  /**
   * Each target's section, by target name in the registry's order; a target whose section is absent is
   * missing here and manages nothing.
   */
  readonly targets: ReadonlyMap<string, TargetSettings>;
  readonly guards: { readonly maxRevocations: RevocationLimit; readonly minRevocations: number };
  readonly emergency: {
    readonly triggers: readonly EmergencyTrigger[];
    readonly merge: EmergencyMerge;
    /** The scheduled removal of expired bindings takes the emergency path (label, proof, merge). */
    readonly expiry: boolean;
  };
  readonly expiry: {
    /** Bindings expiring within this many days are flagged on pull requests. */
    readonly warnWithinDays: number;
  };
  readonly at: SourceLocation;
}

export interface Policy {
  /** The targets it was loaded for: what its roles and settings may name, and how each compiles. */
  readonly targets: PolicyTargets;
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
