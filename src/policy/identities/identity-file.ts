import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { ToStringOptions } from "yaml";

/** The sub-attributes of SCIM `name` (RFC 7643 §4.1.1), in the order a user file lists them. */
export const NAME_PARTS = [
  "givenName",
  "familyName",
  "middleName",
  "honorificPrefix",
  "honorificSuffix",
  "formatted",
] as const;

export type NamePart = (typeof NAME_PARTS)[number];
export type PersonName = { readonly [P in NamePart]?: string };

/** What SCIM owns in a user file (DESIGN §3). `formerUserNames` is kept by the editor itself. */
export interface UserFileFields {
  id: string;
  externalId?: string;
  userName: string;
  displayName?: string;
  /** The IdP's name parts, so a ledger rebuilt from git answers with them (Okta's test reads them). */
  name?: PersonName;
  active: boolean;
  emails: readonly string[];
  /** SCIM `meta.created`, so a ledger rebuilt from git answers with the IdP's creation time. */
  created?: string;
  /** ISO timestamp of a SCIM DELETE: the file becomes a tombstone. */
  deleted?: string;
}

export interface GroupFileFields {
  id: string;
  externalId?: string;
  displayName: string;
  /** userNames; written sorted and deduplicated. */
  members: readonly string[];
  /** SCIM `meta.created`. */
  created?: string;
}

type OwnedValue = string | boolean | readonly string[] | OwnedEntries | undefined;
type OwnedEntry = readonly [key: string, value: OwnedValue];
/** A nested mapping SCIM owns (`name`), its keys in file order. */
interface OwnedEntries {
  readonly entries: readonly OwnedEntry[];
}

const STRINGIFY: ToStringOptions = { lineWidth: 0, flowCollectionPadding: false };

/**
 * The new text of a user file: SCIM-owned keys updated in a stable order, everything a person wrote (other
 * keys, comments) kept. A changed userName is appended to `formerUserNames` so the old principal stays known
 * and is revoked. Returns `previous` itself when nothing SCIM owns changed.
 */
export function renderUserFile(previous: string | undefined, fields: UserFileFields): string {
  const document = previous === undefined ? undefined : parseEditable(previous);
  const formerUserNames = nextFormerUserNames(document?.contents, fields.userName);
  return renderFile(previous, document, [
    ["id", fields.id],
    ["externalId", fields.externalId],
    ["userName", fields.userName],
    ["displayName", fields.displayName],
    ["name", nameEntries(fields.name)],
    ["active", fields.active],
    ["emails", fields.emails],
    ["formerUserNames", formerUserNames],
    ["created", fields.created],
    ["deleted", fields.deleted],
  ]);
}

/** The new text of a group file; members sorted and deduplicated so the file diffs cleanly. */
export function renderGroupFile(previous: string | undefined, fields: GroupFileFields): string {
  const document = previous === undefined ? undefined : parseEditable(previous);
  const members = [...new Set(fields.members)].sort(compareStrings);
  return renderFile(previous, document, [
    ["id", fields.id],
    ["externalId", fields.externalId],
    ["displayName", fields.displayName],
    ["members", members],
    ["created", fields.created],
  ]);
}

/** An empty name is no name: the key is left out rather than written as `name: {}`. */
function nameEntries(name: PersonName | undefined): OwnedEntries | undefined {
  if (name === undefined) return undefined;
  const entries = NAME_PARTS.map((part): OwnedEntry => [part, name[part]]);
  return entries.some(([, value]) => value !== undefined) ? { entries } : undefined;
}

/** A file that does not parse as a mapping cannot be edited in place: it is rendered afresh. */
function parseEditable(text: string): (Document & { contents: YAMLMap }) | undefined {
  const document = parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) return undefined;
  return document as Document & { contents: YAMLMap };
}

function nextFormerUserNames(map: YAMLMap | undefined, userName: string): readonly string[] | undefined {
  if (map === undefined) return undefined;
  const recorded = map.get("formerUserNames", true);
  const former = isSeq(recorded) ? recorded.items.flatMap((item) => scalarString(item) ?? []) : [];
  const previousUserName = scalarString(map.get("userName", true));
  if (previousUserName !== undefined && previousUserName !== userName && !former.includes(previousUserName)) {
    former.push(previousUserName);
  }
  const next = former.filter((name) => name !== userName);
  return next.length === 0 && recorded === undefined ? undefined : next;
}

function renderFile(
  previous: string | undefined,
  document: Document | undefined,
  owned: readonly OwnedEntry[],
) {
  if (previous === undefined || document === undefined || !isMap(document.contents)) {
    return new Document(plainObject(owned)).toString(STRINGIFY);
  }
  if (!editMap(document.contents, owned)) return previous;
  return document.toString(STRINGIFY);
}

/**
 * Sets the owned keys of `map` in their stable order, ahead of the keys a person added (kept as they are).
 * Returns whether anything changed.
 */
function editMap(map: YAMLMap, owned: readonly OwnedEntry[]): boolean {
  const ownedKeys = new Set(owned.map(([key]) => key));
  let changed = false;
  const ownedPairs: Pair[] = [];
  for (const [key, value] of owned) {
    const pair = map.items.find((item) => scalarString(item.key) === key);
    if (value === undefined) {
      changed ||= pair !== undefined;
      continue;
    }
    if (pair === undefined) {
      ownedPairs.push(new Pair(new Scalar(key), nodeFor(value)));
      changed = true;
      continue;
    }
    changed = updateValue(pair, value) || changed;
    ownedPairs.push(pair);
  }
  if (!changed) return false;
  const others = map.items.filter((item) => !ownedKeys.has(scalarString(item.key) ?? ""));
  map.items = [...ownedPairs, ...others];
  return true;
}

/** Edits the node in place where it can, so the comments attached to it survive. */
function updateValue(pair: Pair, value: Exclude<OwnedValue, undefined>): boolean {
  if (isOwnedEntries(value)) {
    if (isMap(pair.value)) return editMap(pair.value, value.entries);
    pair.value = nodeFor(value);
    return true;
  }
  if (typeof value === "string" || typeof value === "boolean") {
    if (isScalar(pair.value)) {
      if (pair.value.value === value) return false;
      pair.value.value = value;
      return true;
    }
    pair.value = new Scalar(value);
    return true;
  }
  if (!isSeq(pair.value)) {
    pair.value = nodeFor(value);
    return true;
  }
  const seq = pair.value;
  const current = seq.items.map((item) => (isScalar(item) ? item.value : item));
  if (current.length === value.length && current.every((item, index) => item === value[index])) return false;
  const reusable = new Map<string, Scalar>();
  for (const item of seq.items) {
    const text = scalarString(item);
    if (text !== undefined && isScalar(item) && !reusable.has(text)) reusable.set(text, item);
  }
  seq.items = value.map((entry) => {
    const kept = reusable.get(entry);
    reusable.delete(entry);
    return kept ?? new Scalar(entry);
  });
  return true;
}

function nodeFor(value: Exclude<OwnedValue, undefined>): Scalar | YAMLSeq | YAMLMap {
  if (isOwnedEntries(value)) return freshMap(value.entries);
  if (typeof value === "string" || typeof value === "boolean") return new Scalar(value);
  const seq = new YAMLSeq<Scalar>();
  seq.items = value.map((entry) => new Scalar(entry));
  return seq;
}

function freshMap(owned: readonly OwnedEntry[]): YAMLMap {
  const map = new YAMLMap();
  for (const [key, value] of owned) {
    if (value !== undefined) map.items.push(new Pair(new Scalar(key), nodeFor(value)));
  }
  return map;
}

function plainObject(owned: readonly OwnedEntry[]): Record<string, unknown> {
  return Object.fromEntries(
    owned.flatMap(([key, value]) =>
      value === undefined ? [] : [[key, isOwnedEntries(value) ? plainObject(value.entries) : value]],
    ),
  );
}

function isOwnedEntries(value: Exclude<OwnedValue, undefined>): value is OwnedEntries {
  return typeof value === "object" && !Array.isArray(value);
}

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
