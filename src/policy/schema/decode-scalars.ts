import { mismatch } from "./decoder.js";
import type { Decoder } from "./decoder.js";

export interface StringOptions {
  readonly description?: string;
  /** For editors only; `check` is what validation runs, with a better message. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
  /** Returns what is wrong with the value and what to do, or undefined when it is fine. */
  readonly check?: (value: string) => string | undefined;
  readonly expected?: string;
}

export function string(options: StringOptions = {}): Decoder<string> {
  const expected = options.expected ?? (options.enum ? `one of ${options.enum.join(", ")}` : "text");
  return {
    expected,
    decode(node, report, label) {
      if (node.kind !== "scalar" || node.value === null || typeof node.value === "boolean") {
        return mismatch(report, node, label, expected);
      }
      const value = String(node.value);
      if (options.enum && !options.enum.includes(value)) {
        report.error(
          node.offset,
          `${label} is ${JSON.stringify(value)}, which is not known; use ${expected}`,
        );
        return undefined;
      }
      const problem = options.check?.(value);
      if (problem !== undefined) {
        report.error(node.offset, problem);
        return undefined;
      }
      return value;
    },
    jsonSchema: () => ({
      type: "string",
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.enum === undefined ? {} : { enum: [...options.enum] }),
      ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
    }),
  };
}

export function boolean(description?: string): Decoder<boolean> {
  return {
    expected: "true or false",
    decode(node, report, label) {
      if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
      return mismatch(report, node, label, "true or false");
    },
    jsonSchema: () => ({ type: "boolean", ...(description === undefined ? {} : { description }) }),
  };
}

export function integer(
  options: { readonly minimum?: number; readonly const?: number; readonly description?: string } = {},
): Decoder<number> {
  const expected =
    options.const !== undefined
      ? String(options.const)
      : options.minimum !== undefined
        ? `a whole number of at least ${options.minimum}`
        : "a whole number";
  return {
    expected,
    decode(node, report, label) {
      const value = node.kind === "scalar" ? node.value : null;
      if (typeof value !== "number" || !Number.isInteger(value))
        return mismatch(report, node, label, expected);
      if (
        (options.minimum !== undefined && value < options.minimum) ||
        (options.const !== undefined && value !== options.const)
      ) {
        report.error(node.offset, `${label} is ${value}; write ${expected}`);
        return undefined;
      }
      return value;
    },
    jsonSchema: () => ({
      type: "integer",
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.minimum === undefined ? {} : { minimum: options.minimum }),
      ...(options.const === undefined ? {} : { const: options.const }),
    }),
  };
}
