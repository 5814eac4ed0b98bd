import { describeNode } from "../yaml/load-yaml-tree.js";
import type { YNode } from "../yaml/load-yaml-tree.js";

/**
 * The policy schema, written once: each decoder checks a YAML node, reports what is wrong in words a person
 * can act on, returns the typed value (best effort), and describes itself as JSON Schema for editors.
 */

export type JsonSchema = { readonly [key: string]: unknown };

export interface DecodeReport {
  error(offset: number, message: string): void;
  warning(offset: number, message: string): void;
}

export interface Decoder<T> {
  /** `label` names the value in messages, e.g. "`actions`" or "a role's `pulsar` entry". */
  decode(node: YNode, report: DecodeReport, label: string): T | undefined;
  /** What a valid value is, for messages: "true or false", "a list of subjects". */
  readonly expected: string;
  jsonSchema(): JsonSchema;
}

export function mismatch(report: DecodeReport, node: YNode, label: string, expected: string): undefined {
  report.error(
    node.offset,
    `${label} must be ${expected}, not ${describeNode(node)}; write ${expected} here`,
  );
  return undefined;
}

/** The value a decoder produces. */
export type DecoderOutput<D> = D extends Decoder<infer T> ? T : never;
