import { Document, Pair, Scalar, YAMLSeq, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { ToStringOptions, YAMLMap } from "yaml";

/** What SCIM owns in a user file (DESIGN §3). `formerUserNames` is kept by the editor itself. */
export interface UserFileFields {
  id: string;
  externalId?: string;
  userName: string;
  displayName?: string;
  active: boolean;
  emails: readonly string[];
  /** ISO timestamp of a SCIM DELETE: the file becomes a tombstone. */
  deleted?: string;
}

export interface GroupFileFields {
  id: string;
  externalId?: string;
  displayName: string;
  /** userNames; written sorted and deduplicated. */
  members: readonly string[];
}

type OwnedValue = string | boolean | readonly string[] | undefined;
type OwnedEntry = readonly [key: string, value: OwnedValue];

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
    ["active", fields.active],
    ["emails", fields.emails],
    ["formerUserNames", formerUserNames],
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
  ]);
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
    const fresh = new Document(Object.fromEntries(owned.filter(([, value]) => value !== undefined)));
    return fresh.toString(STRINGIFY);
  }
  const map = document.contents;
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
  if (!changed) return previous;
  const others = map.items.filter((item) => !ownedKeys.has(scalarString(item.key) ?? ""));
  map.items = [...ownedPairs, ...others];
  return document.toString(STRINGIFY);
}

/** Edits the node in place where it can, so the comments attached to it survive. */
function updateValue(pair: Pair, value: Exclude<OwnedValue, undefined>): boolean {
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

function nodeFor(value: Exclude<OwnedValue, undefined>): Scalar | YAMLSeq {
  if (typeof value === "string" || typeof value === "boolean") return new Scalar(value);
  const seq = new YAMLSeq<Scalar>();
  seq.items = value.map((entry) => new Scalar(entry));
  return seq;
}

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
