import type { SourceLocation } from "./model.js";

/** Why a principal holds a grant: binding → role → the role entry that grants it. */
export interface Provenance {
  /** `group:payments-engineers` or `user:alice@example.com`. */
  readonly subject: string;
  readonly binding: SourceLocation;
  readonly role: string;
  readonly roleEntry: SourceLocation;
}

export interface Person {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly active: boolean;
  readonly deleted?: string;
  /** The principal this person is on each target, by target name (absent when the target is not managed). */
  readonly principals: { readonly [target: string]: string };
}

export interface PrincipalAccess<G> {
  /** SCIM id of the person behind the principal. */
  readonly personId: string;
  readonly grants: readonly G[];
}

/** One target's part of the effective access. */
export interface TargetAccess<G> {
  /** Only principals with at least one grant, in sorted key order. */
  readonly principals: ReadonlyMap<string, PrincipalAccess<G>>;
  /**
   * Principals known to belong to people who must hold nothing (inactive, deleted, or a former user name).
   * Targets revoke whatever these hold in the managed scope even when `prune` is off.
   */
  readonly retired: ReadonlySet<string>;
}

/** What the policy says each principal may do, per target. Deterministic: maps are built in sorted order. */
export interface EffectiveAccess {
  /** By SCIM id: every identity, active or not, tombstones included. */
  readonly people: ReadonlyMap<string, Person>;
  /** By target name, every target the policy was loaded with, in the registry's order. */
  readonly targets: ReadonlyMap<string, TargetAccess<unknown>>;
}
