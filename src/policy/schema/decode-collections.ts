import type { YNode } from "../yaml/load-yaml-tree.js";
import { mismatch } from "./decoder.js";
import type { Decoder } from "./decoder.js";

export function list<T>(
  items: Decoder<T>,
  options: { readonly description?: string; readonly minItems?: number } = {},
): Decoder<T[]> {
  const expected = options.minItems ? `a non-empty list of ${items.expected}` : `a list of ${items.expected}`;
  return {
    expected,
    decode(node, report, label) {
      if (node.kind !== "seq") return mismatch(report, node, label, expected);
      if (options.minItems !== undefined && node.items.length < options.minItems) {
        report.error(node.offset, `${label} is empty; list at least ${options.minItems} or remove the key`);
      }
      const values: T[] = [];
      for (const item of node.items) {
        const value = items.decode(item, report, `an item of ${label}`);
        if (value !== undefined) values.push(value);
      }
      return values;
    },
    jsonSchema: () => ({
      type: "array",
      ...(options.description === undefined ? {} : { description: options.description }),
      items: items.jsonSchema(),
      ...(options.minItems === undefined ? {} : { minItems: options.minItems }),
    }),
  };
}

/** A value that may take one of several node shapes (a scalar or a list, a list or a mapping). */
export function either<A, B>(
  first: Decoder<A> & { readonly accepts: (node: YNode) => boolean },
  second: Decoder<B>,
  description?: string,
): Decoder<A | B> {
  const expected = `${first.expected} or ${second.expected}`;
  return {
    expected,
    decode: (node, report, label) =>
      first.accepts(node) ? first.decode(node, report, label) : second.decode(node, report, label),
    jsonSchema: () => ({
      ...(description === undefined ? {} : { description }),
      anyOf: [first.jsonSchema(), second.jsonSchema()],
    }),
  };
}

export function accepting<T>(
  decoder: Decoder<T>,
  accepts: (node: YNode) => boolean,
): Decoder<T> & { readonly accepts: (node: YNode) => boolean } {
  return { ...decoder, accepts };
}

export interface RecordEntry<T> {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: T | undefined;
}

/** A mapping from names a person chooses (role names) to values of one shape. */
export function record<T>(
  values: Decoder<T>,
  options: {
    readonly description?: string;
    readonly keyPattern?: string;
    readonly checkKey?: (key: string) => string | undefined;
  },
): Decoder<RecordEntry<T>[]> {
  return {
    expected: `a mapping of names to ${values.expected}`,
    decode(node, report, label) {
      if (node.kind !== "map")
        return mismatch(report, node, label, `a mapping of names to ${values.expected}`);
      return node.entries.map((entry) => {
        const problem = options.checkKey?.(entry.key);
        if (problem !== undefined) report.error(entry.keyOffset, problem);
        return {
          key: entry.key,
          keyOffset: entry.keyOffset,
          value: values.decode(entry.value, report, `\`${entry.key}\``),
        };
      });
    },
    jsonSchema: () => ({
      type: "object",
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.keyPattern === undefined ? {} : { propertyNames: { pattern: options.keyPattern } }),
      additionalProperties: values.jsonSchema(),
    }),
  };
}

export interface Variant<T> {
  /** The key whose presence selects this variant, e.g. `namespace`. */
  readonly key: string;
  readonly decoder: Decoder<T>;
}

/** A mapping that is one of several shapes, told apart by which key it has (a Pulsar role entry). */
type VariantValue<V> = V extends Variant<infer T> ? T : never;

export function variants<const V extends readonly Variant<unknown>[]>(
  noun: string,
  options: V,
  description?: string,
): Decoder<VariantValue<V[number]>> {
  const keys = options.map((option) => `\`${option.key}\``);
  const expected = `a mapping with one of ${keys.join(", ")}`;
  return {
    expected,
    decode(node, report, label) {
      if (node.kind !== "map") return mismatch(report, node, label, expected);
      const present = options.filter((option) => node.entries.some((entry) => entry.key === option.key));
      const [chosen, second] = present;
      if (chosen === undefined) {
        report.error(node.offset, `${noun} has none of ${keys.join(", ")}; add exactly one of them`);
        return undefined;
      }
      if (second !== undefined) {
        report.error(
          node.offset,
          `${noun} has both \`${chosen.key}\` and \`${second.key}\`; split it into one entry for each`,
        );
        return undefined;
      }
      return chosen.decoder.decode(node, report, label) as VariantValue<V[number]> | undefined;
    },
    jsonSchema: () => ({
      ...(description === undefined ? {} : { description }),
      oneOf: options.map((option) => option.decoder.jsonSchema()),
    }),
  };
}

export interface Located<T> {
  readonly value: T;
  readonly offset: number;
}

/** Keeps where a value was written, for diagnostics about list items (a binding's role names). */
export function located<T>(decoder: Decoder<T>): Decoder<Located<T>> {
  return {
    expected: decoder.expected,
    decode(node, report, label) {
      const value = decoder.decode(node, report, label);
      return value === undefined ? undefined : { value, offset: node.offset };
    },
    jsonSchema: () => decoder.jsonSchema(),
  };
}
