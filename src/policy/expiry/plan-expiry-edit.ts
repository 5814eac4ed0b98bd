import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Pair, YAMLMap, YAMLSeq } from "yaml";
import { classifyPolicyFile, displayPath } from "../load/load-files.js";
import type { BindingSubject, PolicyFiles, SourceLocation } from "../model/model.js";
import { daysBetween, utcDay } from "./utc-day.js";

/** A binding with an `expires:` date, as written in an access file. */
export interface DatedBinding {
  readonly subject: BindingSubject;
  readonly roles: readonly string[];
  /** `YYYY-MM-DD`, the last day it holds (UTC). */
  readonly expires: string;
  /** Where the binding starts; `file` carries the policy directory, as diagnostics do. */
  readonly at: SourceLocation;
  /** Days from today to its last day: 0 holds through today, negative has expired. */
  readonly daysLeft: number;
}

export interface ExpiryEdit {
  /** The UTC day the edit was planned for. */
  readonly today: string;
  /** Past their last day: compile already ignores them, and `changes` removes them. */
  readonly expired: readonly DatedBinding[];
  /** Still holding, with a last day within `warnWithinDays`. */
  readonly expiringSoon: readonly DatedBinding[];
  readonly warnWithinDays: number;
  /** New text of every access file that changes, by path relative to the policy directory. */
  readonly changes: ReadonlyMap<string, string>;
  /** Access files that do not parse as YAML, left alone (validate says what is wrong with them). */
  readonly skipped: readonly string[];
}

/**
 * Finds every dated binding in `access/*.yaml` and removes those past their last day, by the rule compile
 * uses (`expires < today`, UTC). The edit cuts exactly the binding's lines, and the comment lines right
 * above it that describe it, out of the text; everything else stays byte for byte. Re-rendering the
 * Document would re-indent comments at column 0 and move an emptied list onto a line of its own.
 */
export function planExpiryEdit(
  files: PolicyFiles,
  options: { readonly dir: string; readonly now: Date; readonly warnWithinDays: number },
): ExpiryEdit {
  const today = utcDay(options.now);
  const expired: DatedBinding[] = [];
  const expiringSoon: DatedBinding[] = [];
  const changes = new Map<string, string>();
  const skipped: string[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (classifyPolicyFile(path).kind !== "access") continue;
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, keepSourceTokens: false });
    if (document.errors.length > 0) {
      skipped.push(path);
      continue;
    }
    const bindings = bindingsOf(document);
    if (bindings === undefined) continue;
    const removed: YAMLMap[] = [];
    for (const item of bindings.seq.items) {
      const dated = datedBinding(item, today, (offset) => {
        const { line, col } = lines.linePos(offset);
        return { file: displayPath(options.dir, path), line, col };
      });
      if (dated === undefined) continue;
      if (dated.daysLeft < 0) {
        expired.push(dated);
        removed.push(item as YAMLMap);
      } else if (dated.daysLeft <= options.warnWithinDays) {
        expiringSoon.push(dated);
      }
    }
    if (removed.length > 0) changes.set(path, removeItems(text, document, bindings, removed));
  }
  return { today, expired, expiringSoon, warnWithinDays: options.warnWithinDays, changes, skipped };
}

interface BindingsSeq {
  readonly pair: Pair;
  readonly seq: YAMLSeq;
}

function bindingsOf(document: Document): BindingsSeq | undefined {
  if (!isMap(document.contents)) return undefined;
  const pair = document.contents.items.find((each) => isScalar(each.key) && each.key.value === "bindings");
  return pair !== undefined && isSeq(pair.value) ? { pair, seq: pair.value } : undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A binding that names one subject and a valid date; anything else is validate's to report, not ours to cut. */
function datedBinding(
  item: unknown,
  today: string,
  at: (offset: number) => SourceLocation,
): DatedBinding | undefined {
  if (!isMap(item) || item.range === undefined || item.range === null) return undefined;
  const text = (key: string): string | undefined => {
    const node = item.get(key, true);
    return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
  };
  const expires = text("expires");
  const group = text("group");
  const user = text("user");
  if (expires === undefined || !DATE.test(expires) || (group === undefined) === (user === undefined)) {
    return undefined;
  }
  const daysLeft = daysBetween(today, expires);
  if (daysLeft === undefined) return undefined;
  const roles = item.get("roles", true);
  return {
    subject: group === undefined ? { kind: "user", name: user ?? "" } : { kind: "group", name: group },
    roles: isSeq(roles) ? roles.items.flatMap((role) => (isScalar(role) ? [String(role.value)] : [])) : [],
    expires,
    at: at(item.range[0]),
    daysLeft,
  };
}

/** A block list loses the items' lines; a flow list (`bindings: [{…}]`) is rewritten by the Document. */
function removeItems(text: string, document: Document, bindings: BindingsSeq, removed: readonly YAMLMap[]) {
  if (bindings.seq.flow === true) {
    bindings.seq.items = bindings.seq.items.filter((item) => !removed.includes(item as YAMLMap));
    return document.toString({ lineWidth: 0, flowCollectionPadding: false });
  }
  const cuts = removed.map((item) => itemSpan(text, item)).sort((a, b) => b.start - a.start);
  let next = text;
  for (const cut of cuts) next = next.slice(0, cut.start) + next.slice(cut.end);
  if (removed.length === bindings.seq.items.length) next = emptyList(next, bindings.pair);
  return next;
}

/**
 * From the start of the line holding the item's `-` (and any comment lines directly above it at the same
 * indent) to the end of the item's last line.
 */
function itemSpan(text: string, item: YAMLMap): { start: number; end: number } {
  const [begin, , end] = item.range ?? [0, 0, 0];
  let start = text.lastIndexOf("\n", begin - 1) + 1;
  const indent = /^ */.exec(text.slice(start))?.[0].length ?? 0;
  while (start > 0) {
    const previous = text.lastIndexOf("\n", start - 2) + 1;
    const line = text.slice(previous, start - 1);
    if (!new RegExp(`^ {${indent}}#`).test(line)) break;
    start = previous;
  }
  const lastChar = Math.max(begin, end - 1);
  const newline = text.indexOf("\n", text[lastChar] === "\n" ? lastChar - 1 : lastChar);
  return { start, end: newline === -1 ? text.length : newline + 1 };
}

/** `bindings:` with every item gone would be null: it becomes `bindings: []`, a comment after it kept. */
function emptyList(text: string, pair: Pair): string {
  const key = pair.key as { range?: [number, number, number] | null };
  const keyEnd = key.range?.[1] ?? 0;
  const colon = text.indexOf(":", keyEnd);
  return `${text.slice(0, colon + 1)} []${text.slice(colon + 1)}`;
}
