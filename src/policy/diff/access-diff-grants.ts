/**
 * What every target's `diffGrants` is built from: pairing grants by resource, set differences, and the
 * provenance that explains a change.
 */
import type { Provenance } from "../model/effective-access.js";
import type { AccessChange } from "./access-change.js";
import { compareStrings } from "../compile/compile-grants.js";

export interface ChangeDraft extends Omit<AccessChange, "gainedBecause" | "lostBecause"> {
  readonly old: readonly Provenance[];
  readonly now: readonly Provenance[];
}

export function changeOf(draft: ChangeDraft): AccessChange[] {
  const { old, now, ...change } = draft;
  if (change.gained.length + change.denyLifted.length + change.lost.length + change.denyAdded.length === 0) {
    return [];
  }
  // An allow comes from where it is written; a deny that comes or goes narrows or widens the other way.
  const added = causes(now, old);
  const removed = causes(old, now);
  return [
    {
      ...change,
      gainedBecause: union(
        change.gained.length > 0 ? added : [],
        change.denyLifted.length > 0 ? removed : [],
      ),
      lostBecause: union(change.lost.length > 0 ? removed : [], change.denyAdded.length > 0 ? added : []),
    },
  ];
}

function union(left: readonly Provenance[], right: readonly Provenance[]): readonly Provenance[] {
  return right.length === 0 ? left : [...new Set([...left, ...right])];
}

/**
 * The provenance that explains a change: entries in `primary` the other side lacks (a binding or role
 * added or removed), else all of `primary` (the role itself changed). Compared by subject and role, since
 * line numbers move whenever a file is edited above them.
 */
function causes(primary: readonly Provenance[], other: readonly Provenance[]): readonly Provenance[] {
  const key = (because: Provenance): string => `${because.subject}\u0000${because.role}`;
  const otherKeys = new Set(other.map(key));
  const distinct = primary.filter((because) => !otherKeys.has(key(because)));
  return distinct.length > 0 ? distinct : primary;
}

export function pairByKey<T>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (item: T) => string,
): [T | undefined, T | undefined][] {
  const old = new Map(before.map((item) => [keyOf(item), item]));
  const now = new Map(after.map((item) => [keyOf(item), item]));
  return [...new Set([...old.keys(), ...now.keys()])]
    .sort(compareStrings)
    .map((key) => [old.get(key), now.get(key)]);
}

export function minus(values: readonly string[], remove: readonly string[]): string[] {
  const drop = new Set(remove);
  return values.filter((value) => !drop.has(value));
}

/** Most principals are unchanged between two revisions: this check costs no allocation. */
export function sameList<T>(left: readonly T[], right: readonly T[], same: (a: T, b: T) => boolean): boolean {
  if (left === right) return true;
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (!same(left[index]!, right[index]!)) return false;
  return true;
}

export const sameString = (a: string, b: string): boolean => a === b;
