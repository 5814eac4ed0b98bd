import type { EffectiveAccess, Person, PrincipalAccess, Provenance } from "./effective-access.js";
import { compareStrings } from "./compile-grants.js";
import { diffNatsGrants, diffPulsarGrants } from "./access-diff-grants.js";

export type AccessTarget = "pulsar" | "nats";
export type PersonStatus = "active" | "inactive" | "deleted" | "absent";

/**
 * What changed for one principal on one resource. Permissions are strings a reviewer can read: a Pulsar
 * action (`produce`), `tenant-admin`, a NATS `publish <subject>` / `subscribe <subject>`, or `access` for a
 * resource reached with nothing more specific. NATS subjects are compared as strings: narrowing `a.>` to
 * `a.b` shows as losing one and gaining the other, which the revocation-only gate treats as a grant.
 */
export interface AccessChange {
  readonly target: AccessTarget;
  readonly principal: string;
  readonly resource: { readonly kind: "namespace" | "topic" | "tenant" | "account"; readonly name: string };
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

/** Per person, what they gain and lose on each target between two compiled policies, with the cause. */
export function diffAccess(before: EffectiveAccess, after: EffectiveAccess): AccessDiff {
  const changesByPerson = new Map<string, AccessChange[]>();
  const record = (personId: string, changes: readonly AccessChange[]): void => {
    if (changes.length === 0) return;
    changesByPerson.set(personId, [...(changesByPerson.get(personId) ?? []), ...changes]);
  };
  walkPrincipals(before.pulsar, after.pulsar, (principal, old, now) =>
    diffPulsarGrants(principal, old?.grants ?? [], now?.grants ?? []),
  ).forEach(([personId, changes]) => record(personId, changes));
  walkPrincipals(before.nats, after.nats, (principal, old, now) =>
    diffNatsGrants(principal, old?.grants ?? [], now?.grants ?? []),
  ).forEach(([personId, changes]) => record(personId, changes));

  const people = [...changesByPerson].map(([personId, changes]) =>
    personChange(personId, before.people.get(personId), after.people.get(personId), changes),
  );
  people.sort(
    (left, right) =>
      compareStrings(left.userName, right.userName) || compareStrings(left.personId, right.personId),
  );
  const grants = people.reduce((sum, person) => sum + person.grants, 0);
  return {
    people,
    revocationOnly: grants === 0,
    grants,
    revocations: people.reduce((sum, person) => sum + person.revocations, 0),
    peopleGaining: people.filter((person) => person.grants > 0).length,
    peopleLosing: people.filter((person) => person.revocations > 0).length,
  };
}

/**
 * Pairs each principal's access before and after. A principal that moved from one person to another is
 * split: the first loses everything under it and the second gains everything.
 */
function walkPrincipals<G>(
  before: ReadonlyMap<string, PrincipalAccess<G>>,
  after: ReadonlyMap<string, PrincipalAccess<G>>,
  diff: (principal: string, old?: PrincipalAccess<G>, now?: PrincipalAccess<G>) => AccessChange[],
): [string, AccessChange[]][] {
  const principals = [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings);
  const result: [string, AccessChange[]][] = [];
  for (const principal of principals) {
    const old = before.get(principal);
    const now = after.get(principal);
    if (old === now) continue;
    if (old !== undefined && now !== undefined && old.personId !== now.personId) {
      result.push([old.personId, diff(principal, old, undefined)]);
      result.push([now.personId, diff(principal, undefined, now)]);
    } else {
      const personId = (now ?? old)?.personId ?? principal;
      result.push([personId, diff(principal, old, now)]);
    }
  }
  return result;
}

function personChange(
  personId: string,
  before: Person | undefined,
  after: Person | undefined,
  changes: readonly AccessChange[],
): PersonAccessChange {
  const current = after ?? before;
  const userName = current?.userName ?? changes[0]?.principal ?? personId;
  const displayName = current?.displayName;
  const renamed = before !== undefined && after !== undefined && before.userName !== after.userName;
  return {
    personId,
    userName,
    ...(displayName === undefined ? {} : { displayName }),
    ...(renamed ? { formerUserName: before.userName } : {}),
    status: { before: statusOf(before), after: statusOf(after) },
    changes,
    grants: changes.reduce((sum, change) => sum + change.gained.length + change.denyLifted.length, 0),
    revocations: changes.reduce((sum, change) => sum + change.lost.length + change.denyAdded.length, 0),
  };
}

function statusOf(person: Person | undefined): PersonStatus {
  if (person === undefined) return "absent";
  if (person.deleted !== undefined) return "deleted";
  return person.active ? "active" : "inactive";
}
