import type { Provenance } from "../model/effective-access.js";

/** The access diff as a value: what each person gains and loses, per target and resource. */
export type PersonStatus = "active" | "inactive" | "deleted" | "absent";

/**
 * What changed for one principal on one resource. Permissions are strings a reviewer can read, each target
 * choosing its own: a Pulsar action (`produce`), `tenant-admin`, a NATS `publish <subject>`, or `access` for
 * a resource reached with nothing more specific. Denies are for targets whose denies apply across grants
 * (NATS): lifting one widens access.
 */
export interface AccessChange {
  /** The target's name, e.g. `pulsar`. */
  readonly target: string;
  readonly principal: string;
  /** As the target names it: `namespace acme/payments`, `account PAYMENTS`. */
  readonly resource: { readonly kind: string; readonly name: string };
  /** Allowed now and not before. */
  readonly gained: readonly string[];
  /** Allowed before and not now. */
  readonly lost: readonly string[];
  /** NATS denies added: narrows access. */
  readonly denyAdded: readonly string[];
  /** NATS denies removed while the account stays: widens access, so it counts as a grant. */
  readonly denyLifted: readonly string[];
  /** Why the widening happens: the bindings and roles that give the grant now. */
  readonly gainedBecause: readonly Provenance[];
  /** Why the narrowing happens: the bindings and roles that gave the grant before. */
  readonly lostBecause: readonly Provenance[];
}

export interface PersonAccessChange {
  /** SCIM id; for a principal no person is known for, the principal itself. */
  readonly personId: string;
  readonly userName: string;
  readonly displayName?: string;
  /** The userName before, when it changed. */
  readonly formerUserName?: string;
  readonly status: { readonly before: PersonStatus; readonly after: PersonStatus };
  /** Sorted by target, principal, resource. */
  readonly changes: readonly AccessChange[];
  /** Widening items: gained permissions and lifted denies. */
  readonly grants: number;
  /** Narrowing items: lost permissions and added denies. */
  readonly revocations: number;
}

export interface AccessDiff {
  /** Only people whose access changed, sorted by userName. */
  readonly people: readonly PersonAccessChange[];
  /** DESIGN §3: for every principal and target the new permissions are a subset of the old. */
  readonly revocationOnly: boolean;
  readonly grants: number;
  readonly revocations: number;
  readonly peopleGaining: number;
  readonly peopleLosing: number;
}
