/**
 * The plan: a plain value computed from the policy and the actual state of each target, then performed by
 * `apply`. It is also the artefact `plan --out` writes and `apply --plan` reads (STYLE: plans are artefacts).
 */

/** A registered target's name (`pulsar`, `nats`): its key in settings.yaml, roles and plans. */
export type TargetName = string;

/**
 * The closed set of actions. `grant`: from nothing to something. `update`: a different set (wider,
 * narrower or both). `revoke`: from something to nothing.
 */
export type ChangeAction = "grant" | "update" | "revoke";

/** A JSON value: what a plan file can hold. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface PlannedChange {
  readonly target: TargetName;
  readonly action: ChangeAction;
  readonly principal: string;
  /** For people: `namespace acme/payments`, `topic persistent://acme/payments/ledger`, `tenant acme`, `account PAYMENTS`. */
  readonly resource: string;
  readonly before: Json;
  readonly after: Json;
  /** Whether the principal loses anything (counted by the mass-revocation guard). */
  readonly narrows: boolean;
  /** Why, for a reviewer: the binding → role → file:line that wants it, or why it must go. */
  readonly reason: string;
  /** Target-specific, JSON-serialisable instruction for `apply`. */
  readonly operation: Json;
}

export interface TargetPlan {
  readonly target: TargetName;
  /** sha256 over the normalised actual state read; `apply --plan` re-reads and refuses on mismatch. */
  readonly actualFingerprint: string;
  /** Principals holding any access in the managed scope before the change (the guard's denominator). */
  readonly holders: number;
  /** Revocations first, then updates, then grants; stable order within each. */
  readonly changes: readonly PlannedChange[];
  /** Things a person should know that are not changes: unmanaged grants left alone, skipped scope. */
  readonly notices: readonly string[];
}

export interface Plan {
  readonly formatVersion: 1;
  /** The git tree hash of the policy directory the plan was made from, when it lives in git. */
  readonly policyTree: string | null;
  /** ISO timestamp. */
  readonly createdAt: string;
  readonly targets: readonly TargetPlan[];
}

export interface ChangeResult {
  readonly change: PlannedChange;
  readonly ok: boolean;
  /** Present when `ok` is false: what failed and what to do. Never contains a secret. */
  readonly error?: string;
}

export interface TargetApplyResult {
  readonly target: TargetName;
  readonly results: readonly ChangeResult[];
  /** Follow-up facts for the summary: namespaces unloaded, live connections closed, and so on. */
  readonly evidence: readonly string[];
  /**
   * Follow-up steps that failed although every change went through (an unload, a connection kick): the
   * apply then counts as failed too. Absent means none.
   */
  readonly incomplete?: readonly string[];
}
