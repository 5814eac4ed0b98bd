import type { NatsGrant, Provenance, PulsarGrant } from "../model/effective-access.js";
import type { AccessChange } from "./access-change.js";
import { compareStrings } from "../compile/compile-grants.js";

/** Per resource of one principal: which Pulsar actions came and went. A new resource is a grant. */
export function diffPulsarGrants(
  principal: string,
  before: readonly PulsarGrant[],
  after: readonly PulsarGrant[],
): AccessChange[] {
  const keyOf = (grant: PulsarGrant): string => `${grant.resource.kind}:${grant.resource.name}`;
  const permissions = (grant: PulsarGrant | undefined): readonly string[] => {
    if (grant === undefined) return [];
    if (grant.resource.kind === "tenant") return ["tenant-admin"];
    return grant.actions.length > 0 ? grant.actions : ["access"];
  };
  if (sameList(before, after, samePulsarGrant)) return [];
  return pairByKey(before, after, keyOf).flatMap(([old, now]) => {
    const resource = (now ?? old)?.resource;
    if (resource === undefined) return [];
    return changeOf({
      target: "pulsar",
      principal,
      resource,
      gained: minus(permissions(now), permissions(old)),
      lost: minus(permissions(old), permissions(now)),
      denyAdded: [],
      denyLifted: [],
      old: old?.because ?? [],
      now: now?.because ?? [],
    });
  });
}

/**
 * Per account of one principal: allows compared as sets of subjects, and denies the other way round (a
 * deny lifted widens access). A new account is a grant; an account gone takes its denies with it.
 */
export function diffNatsGrants(
  principal: string,
  before: readonly NatsGrant[],
  after: readonly NatsGrant[],
): AccessChange[] {
  // `access` stands for reaching the account at all; it only comes and goes with the account itself, since
  // an empty allow list next to other entries of the account allows nothing more.
  const allows = (grant: NatsGrant | undefined, other: NatsGrant | undefined): readonly string[] => {
    if (grant === undefined) return [];
    const subjects = [
      ...grant.publish.allow.map((subject) => `publish ${subject}`),
      ...grant.subscribe.allow.map((subject) => `subscribe ${subject}`),
    ];
    return subjects.length > 0 || other !== undefined ? subjects : ["access"];
  };
  const denies = (grant: NatsGrant | undefined): readonly string[] =>
    grant === undefined
      ? []
      : [
          ...grant.publish.deny.map((subject) => `publish ${subject}`),
          ...grant.subscribe.deny.map((subject) => `subscribe ${subject}`),
        ];
  if (sameList(before, after, sameNatsGrant)) return [];
  return pairByKey(before, after, (grant) => grant.account).flatMap(([old, now]) => {
    const account = (now ?? old)?.account;
    if (account === undefined) return [];
    const both = old !== undefined && now !== undefined;
    return changeOf({
      target: "nats",
      principal,
      resource: { kind: "account", name: account },
      gained: minus(allows(now, old), allows(old, now)),
      lost: minus(allows(old, now), allows(now, old)),
      denyAdded: both ? minus(denies(now), denies(old)) : [],
      denyLifted: both ? minus(denies(old), denies(now)) : [],
      old: old?.because ?? [],
      now: now?.because ?? [],
    });
  });
}

interface Draft extends Omit<AccessChange, "gainedBecause" | "lostBecause"> {
  readonly old: readonly Provenance[];
  readonly now: readonly Provenance[];
}

function changeOf(draft: Draft): AccessChange[] {
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

function pairByKey<T>(
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

function minus(values: readonly string[], remove: readonly string[]): string[] {
  const drop = new Set(remove);
  return values.filter((value) => !drop.has(value));
}

/** Most principals are unchanged between two revisions: this check costs no allocation. */
function sameList<T>(left: readonly T[], right: readonly T[], same: (a: T, b: T) => boolean): boolean {
  if (left === right) return true;
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (!same(left[index]!, right[index]!)) return false;
  return true;
}

const sameString = (a: string, b: string): boolean => a === b;

function samePulsarGrant(left: PulsarGrant, right: PulsarGrant): boolean {
  return (
    left.resource.kind === right.resource.kind &&
    left.resource.name === right.resource.name &&
    sameList(left.actions, right.actions, sameString)
  );
}

function sameNatsGrant(left: NatsGrant, right: NatsGrant): boolean {
  return (
    left.account === right.account &&
    sameList(left.publish.allow, right.publish.allow, sameString) &&
    sameList(left.publish.deny, right.publish.deny, sameString) &&
    sameList(left.subscribe.allow, right.subscribe.allow, sameString) &&
    sameList(left.subscribe.deny, right.subscribe.deny, sameString)
  );
}
