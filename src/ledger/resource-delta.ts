/**
 * What a journal record holds for an update: the change between two versions of a resource, not the whole
 * resource. A membership PATCH on a group of N members then writes the members added and removed, not all
 * N (issue 11). Replaying the delta on the version before gives back the version after exactly, attribute
 * order included (a reply, the snapshot and `differs` all serialise resources, so order is observable);
 * when a change cannot be described that way (members reordered, repeated values), the attribute is
 * carried whole instead.
 */
import type { ScimResource } from "./ledger.js";

export interface MembersDelta {
  /** Member values that left. */
  readonly remove?: readonly string[];
  /** Entries that are new or changed: a changed one replaces its value's entry in place, a new one is
   * appended, in this order. */
  readonly put?: readonly Readonly<Record<string, unknown>>[];
}

export interface ResourceDelta {
  /** Top-level attributes with their whole new value. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly unset?: readonly string[];
  readonly members?: MembersDelta;
  /** The attribute order afterwards, only when it is not the old order with new attributes appended. */
  readonly order?: readonly string[];
}

type Entry = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Equal as JSON text would be (key order counts, undefined properties do not), without serialising. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const left = a as unknown[];
    const right = b as unknown[];
    if (left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) if (!sameJson(left[index], right[index])) return false;
    return true;
  }
  // Walks both key lists in step, skipping undefined values, so no filtered copies are made: this runs
  // on every member of a group on each membership PATCH.
  const left = a as Entry;
  const right = b as Entry;
  const keysA = Object.keys(left);
  const keysB = Object.keys(right);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < keysA.length && left[keysA[i]!] === undefined) i++;
    while (j < keysB.length && right[keysB[j]!] === undefined) j++;
    if (i === keysA.length || j === keysB.length) return i === keysA.length && j === keysB.length;
    const key = keysA[i]!;
    if (key !== keysB[j] || !sameJson(left[key], right[key])) return false;
    i++;
    j++;
  }
}

function definedKeys(value: Entry): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/** Members keyed by value, or undefined when some entry has no string value or a value repeats. */
function membersByValue(members: unknown): Map<string, Entry> | undefined {
  if (!Array.isArray(members)) return undefined;
  const byValue = new Map<string, Entry>();
  for (const entry of members as unknown[]) {
    if (!isRecord(entry) || typeof entry.value !== "string" || byValue.has(entry.value)) return undefined;
    byValue.set(entry.value, entry);
  }
  return byValue;
}

function diffMembers(before: unknown, after: unknown): MembersDelta | undefined {
  const old = membersByValue(before);
  const next = membersByValue(after);
  if (old === undefined || next === undefined) return undefined;
  const remove = [...old.keys()].filter((value) => !next.has(value));
  const put = [...next.values()].filter((entry) => !sameJson(old.get(entry.value as string), entry));
  // Replay keeps the old order and appends new values: anything else is carried whole.
  const replayed = [...old.keys()].filter((value) => next.has(value));
  for (const value of next.keys()) if (!old.has(value)) replayed.push(value);
  let index = 0;
  for (const value of next.keys()) if (replayed[index++] !== value) return undefined;
  return {
    ...(remove.length > 0 ? { remove } : {}),
    ...(put.length > 0 ? { put } : {}),
  };
}

function replayMembers(before: unknown, delta: MembersDelta): Entry[] {
  const removed = new Set(delta.remove ?? []);
  const put = new Map((delta.put ?? []).map((entry) => [entry.value as string, entry]));
  const members: Entry[] = [];
  for (const entry of Array.isArray(before) ? (before as Entry[]) : []) {
    const value = entry.value as string;
    if (removed.has(value)) continue;
    members.push(put.get(value) ?? entry);
    put.delete(value);
  }
  members.push(...put.values());
  return members;
}

function naturalOrder(beforeKeys: readonly string[], unset: ReadonlySet<string>, added: readonly string[]) {
  return [...beforeKeys.filter((key) => !unset.has(key)), ...added];
}

/** The change from `before` to `after` of one resource. */
export function diffResource(before: ScimResource, after: ScimResource): ResourceDelta {
  const beforeKeys = definedKeys(before);
  const afterKeys = definedKeys(after);
  const set: Record<string, unknown> = {};
  let members: MembersDelta | undefined;
  for (const key of afterKeys) {
    if (sameJson(before[key], after[key])) continue;
    const membersDelta =
      key === "members" && before[key] !== undefined ? diffMembers(before[key], after[key]) : undefined;
    if (membersDelta === undefined) set[key] = after[key];
    else members = membersDelta;
  }
  const unset = beforeKeys.filter((key) => after[key] === undefined);
  const added = afterKeys.filter((key) => before[key] === undefined);
  const natural = naturalOrder(beforeKeys, new Set(unset), added);
  const sameOrder = natural.length === afterKeys.length && natural.every((key, i) => key === afterKeys[i]);
  return {
    ...(Object.keys(set).length > 0 ? { set } : {}),
    ...(unset.length > 0 ? { unset } : {}),
    ...(members === undefined ? {} : { members }),
    ...(sameOrder ? {} : { order: afterKeys }),
  };
}

/** `after` again from `before` and the delta `diffResource` gave for them. */
export function replayDelta(before: ScimResource, delta: ResourceDelta): ScimResource {
  const set = delta.set ?? {};
  const unset = new Set(delta.unset ?? []);
  const beforeKeys = definedKeys(before);
  const added = Object.keys(set).filter((key) => before[key] === undefined);
  const order = delta.order ?? naturalOrder(beforeKeys, unset, added);
  const after: Record<string, unknown> = {};
  for (const key of order) {
    if (key in set) after[key] = set[key];
    else if (key === "members" && delta.members !== undefined)
      after[key] = replayMembers(before[key], delta.members);
    else after[key] = before[key];
  }
  return after as ScimResource;
}
