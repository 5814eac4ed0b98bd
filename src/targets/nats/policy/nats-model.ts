import type { SourceLocation } from "../../../policy/model/model.js";
import type { Provenance } from "../../../policy/model/effective-access.js";

/** NATS's part of the policy model (DESIGN §3): role entries, the settings section, compiled grants. */

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

export interface NatsSettings {
  readonly principal: string;
  readonly manage: { readonly accounts: readonly string[] };
  readonly protectedPrincipals: readonly string[];
  readonly bucket: string;
}

/** One account's permissions for a principal, merged over every role that names the account. */
export interface NatsGrant {
  readonly account: string;
  /** Each list sorted and deduplicated. */
  readonly publish: SubjectPermissions;
  readonly subscribe: SubjectPermissions;
  readonly because: readonly Provenance[];
}
