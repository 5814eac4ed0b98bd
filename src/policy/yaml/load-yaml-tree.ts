/**
 * A small, position-carrying view of a parsed YAML document: just what policy loading needs. Positions are
 * byte offsets into the file's text; they become `line:col` only where a location is reported, so parsing
 * thousands of identity files stays cheap.
 */

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  readonly kind: "scalar";
  readonly value: ScalarValue;
  readonly offset: number;
}

export interface YEntry {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: YNode;
}

export interface YMap {
  readonly kind: "map";
  readonly entries: readonly YEntry[];
  readonly offset: number;
}

export interface YSeq {
  readonly kind: "seq";
  readonly items: readonly YNode[];
  readonly offset: number;
}

export type YNode = YScalar | YMap | YSeq;

export interface YamlProblem {
  readonly severity: "error" | "warning";
  readonly offset: number;
  readonly message: string;
}

export interface ParsedYaml {
  /** Absent when the file is empty (or holds only comments). */
  readonly root: YNode | undefined;
  readonly problems: readonly YamlProblem[];
}

/** Offsets of line starts, so an offset becomes a 1-based line and column by binary search. */
export class LineIndex {
  readonly #starts: number[];

  constructor(text: string) {
    const starts = [0];
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
    this.#starts = starts;
  }

  position(offset: number): { line: number; col: number } {
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, col: offset - (starts[low] ?? 0) + 1 };
  }
}

/** How a node reads in a message: `a list`, `the number 3`, `"yes"`. */
export function describeNode(node: YNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  const value = node.value;
  if (value === null) return "nothing";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  if (typeof value === "number") return `the number ${value}`;
  return `${value}`;
}
