import type { EffectiveAccess, Person, PrincipalAccess } from "../model/effective-access.js";
import { compareStrings } from "../compile/compile-grants.js";
import type { PolicyTargets } from "../targets/policy-targets.js";
import type { AccessChange, AccessDiff, PersonAccessChange, PersonStatus } from "./access-change.js";

const NO_PRINCIPALS: ReadonlyMap<string, PrincipalAccess<unknown>> = new Map();

/**
 * Per person, what they gain and lose on each target between two compiled policies, with the cause; each
 * target compares its own grants, in the order of `targets`.
 */
export function diffAccess(
  before: EffectiveAccess,
  after: EffectiveAccess,
  targets: PolicyTargets,
): AccessDiff {
  const changesByPerson = new Map<string, AccessChange[]>();
  const record = (personId: string, changes: readonly AccessChange[]): void => {
    if (changes.length === 0) return;
    changesByPerson.set(personId, [...(changesByPerson.get(personId) ?? []), ...changes]);
  };
  for (const target of targets.parts) {
    walkPrincipals(
      before.targets.get(target.name)?.principals ?? NO_PRINCIPALS,
      after.targets.get(target.name)?.principals ?? NO_PRINCIPALS,
      (principal, old, now) => target.diffGrants(principal, old?.grants ?? [], now?.grants ?? []),
    ).forEach(([personId, changes]) => record(personId, changes));
  }

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
