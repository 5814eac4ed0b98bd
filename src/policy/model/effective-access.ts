import type { PulsarAction, SourceLocation, SubjectPermissions } from "./model.js";

/** Why a principal holds a grant: binding → role → the role entry that grants it. */
export interface Provenance {
  /** `group:payments-engineers` or `user:alice@example.com`. */
  readonly subject: string;
  readonly binding: SourceLocation;
  readonly role: string;
  readonly roleEntry: SourceLocation;
}

export type PulsarResource =
  | { readonly kind: "namespace"; readonly name: string }
  | { readonly kind: "topic"; readonly name: string }
  | { readonly kind: "tenant"; readonly name: string };

export interface PulsarGrant {
  readonly resource: PulsarResource;
  /** Sorted, deduplicated; empty for tenant admin. */
  readonly actions: readonly PulsarAction[];
  readonly because: readonly Provenance[];
}

/** One account's permissions for a principal, merged over every role that names the account. */
export interface NatsGrant {
  readonly account: string;
  /** Each list sorted and deduplicated. */
  readonly publish: SubjectPermissions;
  readonly subscribe: SubjectPermissions;
  readonly because: readonly Provenance[];
}

export interface Person {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly active: boolean;
  readonly deleted?: string;
  /** The principal this person is on each target (absent when the target is not managed). */
  readonly principals: { readonly pulsar?: string; readonly nats?: string };
}

export interface PrincipalAccess<G> {
  /** SCIM id of the person behind the principal. */
  readonly personId: string;
  readonly grants: readonly G[];
}

/**
 * What the policy says each principal may do, per target. Only principals with at least one grant are
 * present. Deterministic: maps are built in sorted key order.
 */
export interface EffectiveAccess {
  /** By SCIM id: every identity, active or not, tombstones included. */
  readonly people: ReadonlyMap<string, Person>;
  readonly pulsar: ReadonlyMap<string, PrincipalAccess<PulsarGrant>>;
  readonly nats: ReadonlyMap<string, PrincipalAccess<NatsGrant>>;
  /**
   * Principals known to belong to people who must hold nothing (inactive, deleted, or a former user name).
   * Targets revoke whatever these hold in the managed scope even when `prune` is off.
   */
  readonly retired: { readonly pulsar: ReadonlySet<string>; readonly nats: ReadonlySet<string> };
}
