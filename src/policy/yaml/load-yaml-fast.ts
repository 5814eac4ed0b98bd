import { resolvePlain } from "./load-yaml-scalars.js";
import type { ParsedYaml, YEntry, YMap, YNode, YSeq } from "./load-yaml-tree.js";

/**
 * A fast path for the plain block YAML that policy files are made of (the bot's identity files above all):
 * block mappings and sequences, single-line plain and quoted scalars, single-line flow sequences of
 * scalars, comments. It gives the same tree as the `yaml` package (YAML 1.2 core schema) or gives up:
 * anything else — anchors, tags, block scalars, flow mappings, multi-line scalars, escapes, tabs, CRLF,
 * duplicate keys, keys over 1,024 characters, any syntax error — returns undefined and the full parser takes
 * the file. So does any character JavaScript counts as white space but YAML does not (only space and tab
 * are, YAML 1.2 §5.5): NBSP, U+2003 and the like, a byte order mark anywhere, form feed, vertical tab.
 */
export function parseYamlFast(text: string): ParsedYaml | undefined {
  if (UNSURE.test(text)) return undefined;
  try {
    const parser = new FastParser(text);
    return { root: parser.parseDocument(), problems: [] };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

/** Thrown (one shared instance, no stack to build) when the fast path meets YAML it does not handle. */
class FastPathGaveUp extends Error {
  override name = "FastPathGaveUp";
}
const GIVE_UP = new FastPathGaveUp("not plain block YAML");
/**
 * Tab and CR (indentation and line-break rules the fast path does not model), and every character `trim()`
 * and `\s` treat as white space that YAML keeps as content (or, for U+FEFF, treats specially).
 */
const UNSURE = /[\t\r\v\f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** The `yaml` package refuses an implicit key whose `:` is more than this many characters after its start. */
const MAX_IMPLICIT_KEY = 1024;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const PLAIN_KEY = /^[A-Za-z0-9_$./][^#'"[\]{},&*!|>%@`]*$/;
const FLOW_PLAIN_FORBIDDEN = /[#[\]{}'"]|: |:$/;
function giveUp(): never {
  throw GIVE_UP;
}

/** The end of `text[start, end)` without trailing spaces: what YAML trims off a plain scalar. */
function trimSpaces(text: string, start: number, end: number): number {
  let stop = end;
  while (stop > start && text.charCodeAt(stop - 1) === SPACE) stop--;
  return stop;
}

class FastParser {
  readonly #text: string;
  /** Per line: start offset, end offset (the newline), indent; indent -1 marks a blank or comment line. */
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #indents: number[] = [];

  constructor(text: string) {
    this.#text = text;
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      let at = start;
      while (at < end && text.charCodeAt(at) === SPACE) at++;
      const blank = at === end || text.charCodeAt(at) === HASH;
      if (
        !blank &&
        at === start &&
        (text.startsWith("---", at) || text.startsWith("...", at) || text.charCodeAt(at) === 37)
      ) {
        giveUp();
      }
      this.#starts.push(start);
      this.#ends.push(end);
      this.#indents.push(blank ? -1 : at - start);
      start = end + 1;
    }
  }

  parseDocument(): YNode | undefined {
    const first = this.#skipBlank(0);
    if (first >= this.#indents.length) return undefined;
    const [root, next] = this.#parseBlock(first, this.#indent(first));
    if (this.#skipBlank(next) < this.#indents.length) giveUp();
    return root;
  }

  #indent(line: number): number {
    return this.#indents[line] ?? -1;
  }

  #skipBlank(line: number): number {
    while (line < this.#indents.length && this.#indent(line) === -1) line++;
    return line;
  }

  #isSeqItem(line: number, column: number): boolean {
    const at = (this.#starts[line] ?? 0) + column;
    const next = this.#text.charCodeAt(at + 1);
    return this.#text.charCodeAt(at) === DASH && (at + 1 === this.#ends[line] || next === SPACE);
  }

  /** A block node whose first line is `line`, indented `indent`. Returns the node and the line after it. */
  #parseBlock(line: number, indent: number): [YNode, number] {
    if (this.#isSeqItem(line, indent)) return this.#parseSeq(line, indent);
    const start = (this.#starts[line] ?? 0) + indent;
    if (this.#keyColon(start, this.#ends[line] ?? 0) === -1) giveUp();
    return this.#parseMap(line, indent, start);
  }

  #parseMap(line: number, indent: number, firstStart: number): [YMap, number] {
    const entries: YEntry[] = [];
    const seen = new Set<string>();
    let start = firstStart;
    for (;;) {
      const end = this.#ends[line] ?? 0;
      const colon = this.#keyColon(start, end);
      if (colon === -1) giveUp();
      if (colon - start > MAX_IMPLICIT_KEY) giveUp();
      const keySource = this.#text.slice(start, colon);
      if (!PLAIN_KEY.test(keySource) || keySource.endsWith(" ")) giveUp();
      const key = String(resolvePlain(keySource));
      if (seen.has(key)) giveUp();
      seen.add(key);
      let valueStart = colon + 1;
      while (valueStart < end && this.#text.charCodeAt(valueStart) === SPACE) valueStart++;
      let value: YNode;
      let next: number;
      if (valueStart === end || this.#text.charCodeAt(valueStart) === HASH) {
        [value, next] = this.#parseNested(line, indent, start, true);
      } else {
        value = this.#parseInline(valueStart, end);
        next = this.#afterInline(line, indent);
      }
      entries.push({ key, keyOffset: start, value });
      const following = this.#skipBlank(next);
      if (
        following >= this.#indents.length ||
        this.#indent(following) !== indent ||
        this.#isSeqItem(following, indent)
      ) {
        return [{ kind: "map", entries, offset: firstStart }, following];
      }
      line = following;
      start = (this.#starts[line] ?? 0) + indent;
    }
  }

  #parseSeq(line: number, indent: number): [YSeq, number] {
    const items: YNode[] = [];
    const offset = (this.#starts[line] ?? 0) + indent;
    for (;;) {
      const dash = (this.#starts[line] ?? 0) + indent;
      const end = this.#ends[line] ?? 0;
      let content = dash + 1;
      while (content < end && this.#text.charCodeAt(content) === SPACE) content++;
      let item: YNode;
      let next: number;
      if (content === end || this.#text.charCodeAt(content) === HASH) {
        [item, next] = this.#parseNested(line, indent, dash, false);
      } else if (
        this.#text.charCodeAt(content) === DASH &&
        this.#isSeqItem(line, content - (this.#starts[line] ?? 0))
      ) {
        giveUp();
      } else if (this.#keyColon(content, end) !== -1) {
        [item, next] = this.#parseMap(line, content - (this.#starts[line] ?? 0), content);
      } else {
        item = this.#parseInline(content, end);
        next = this.#afterInline(line, indent);
      }
      items.push(item);
      const following = this.#skipBlank(next);
      if (following < this.#indents.length && this.#indent(following) > indent) giveUp();
      if (
        following >= this.#indents.length ||
        this.#indent(following) < indent ||
        !this.#isSeqItem(following, indent)
      ) {
        return [{ kind: "seq", items, offset }, following];
      }
      line = following;
    }
  }

  /** The value of `key:` or `-` with nothing after it on the line: a nested block, or null. */
  #parseNested(line: number, indent: number, ownerOffset: number, inMap: boolean): [YNode, number] {
    const next = this.#skipBlank(line + 1);
    if (next < this.#indents.length) {
      const nextIndent = this.#indent(next);
      if (nextIndent > indent) return this.#parseBlock(next, nextIndent);
      if (inMap && nextIndent === indent && this.#isSeqItem(next, indent))
        return this.#parseSeq(next, indent);
    }
    if (!inMap) giveUp();
    return [{ kind: "scalar", value: null, offset: ownerOffset }, line + 1];
  }

  /** After a value that ends on its line, a more indented line would continue it: not ours to parse. */
  #afterInline(line: number, indent: number): number {
    const next = this.#skipBlank(line + 1);
    if (next < this.#indents.length && this.#indent(next) > indent) giveUp();
    return next;
  }

  /** Offset of the `:` that ends a plain mapping key on this line, or -1. */
  #keyColon(start: number, end: number): number {
    const text = this.#text;
    const first = text.charCodeAt(start);
    if (first === 34 || first === 39 || first === 91 || first === 123) return -1;
    for (let at = start; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === COLON && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)) return at;
      if (code === HASH && at > start && text.charCodeAt(at - 1) === SPACE) return -1;
    }
    return -1;
  }

  #parseInline(start: number, end: number): YNode {
    const text = this.#text;
    const first = text.charCodeAt(start);
    if (first === 34 || first === 39) {
      const [value, after] = this.#quoted(start, end);
      this.#expectLineEnd(after, end);
      return { kind: "scalar", value, offset: start };
    }
    if (first === 91) return this.#flowSeq(start, end);
    if ("{&*!|>%@`,]}#".includes(text.charAt(start))) giveUp();
    if (
      (first === DASH || first === 63 || first === COLON) &&
      (start + 1 === end || text.charCodeAt(start + 1) === SPACE)
    ) {
      giveUp();
    }
    let stop = end;
    for (let at = start; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === HASH && text.charCodeAt(at - 1) === SPACE) {
        stop = at;
        break;
      }
      if (code === COLON && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)) giveUp();
    }
    const source = text.slice(start, trimSpaces(text, start, stop));
    return { kind: "scalar", value: resolvePlain(source), offset: start };
  }

  /** A single-line quoted scalar without escapes: its value and the offset after the closing quote. */
  #quoted(start: number, end: number): [string, number] {
    const text = this.#text;
    const quote = text.charAt(start);
    if (quote === '"') {
      const close = text.indexOf('"', start + 1);
      if (close === -1 || close >= end) giveUp();
      const value = text.slice(start + 1, close);
      if (value.includes("\\")) giveUp();
      return [value, close + 1];
    }
    let value = "";
    let at = start + 1;
    for (;;) {
      const close = text.indexOf("'", at);
      if (close === -1 || close >= end) giveUp();
      value += text.slice(at, close);
      if (text.charCodeAt(close + 1) !== 39) return [value, close + 1];
      value += "'";
      at = close + 2;
    }
  }

  #expectLineEnd(at: number, end: number): void {
    const text = this.#text;
    let cursor = at;
    while (cursor < end && text.charCodeAt(cursor) === SPACE) cursor++;
    if (cursor < end && !(text.charCodeAt(cursor) === HASH && cursor > at)) giveUp();
  }

  #flowSeq(start: number, end: number): YSeq {
    const text = this.#text;
    const items: YNode[] = [];
    let at = start + 1;
    for (;;) {
      while (at < end && text.charCodeAt(at) === SPACE) at++;
      if (at >= end) giveUp();
      if (text.charCodeAt(at) === 93) break;
      const first = text.charCodeAt(at);
      let after: number;
      if (first === 34 || first === 39) {
        const [value, close] = this.#quoted(at, end);
        items.push({ kind: "scalar", value, offset: at });
        after = close;
      } else {
        let stop = at;
        while (stop < end && text.charCodeAt(stop) !== 44 && text.charCodeAt(stop) !== 93) stop++;
        const source = text.slice(at, trimSpaces(text, at, stop));
        if (source === "" || FLOW_PLAIN_FORBIDDEN.test(source) || "&*!|>%@`?-:".includes(source.charAt(0))) {
          giveUp();
        }
        items.push({ kind: "scalar", value: resolvePlain(source), offset: at });
        after = stop;
      }
      while (after < end && text.charCodeAt(after) === SPACE) after++;
      const separator = text.charCodeAt(after);
      if (separator === 93) {
        at = after;
        break;
      }
      if (separator !== 44) giveUp();
      at = after + 1;
    }
    this.#expectLineEnd(at + 1, end);
    return { kind: "seq", items, offset: start };
  }
}
