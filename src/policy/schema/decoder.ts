import { describeNode } from "../load-yaml-tree.js";
import type { YMap, YNode } from "../load-yaml-tree.js";
import { suggestKey } from "./suggest-key.js";

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

export interface Field<T> {
  readonly decoder: Decoder<T>;
  readonly required?: boolean;
}

export type Fields = { readonly [key: string]: Field<unknown> };

export type Decoded<F extends Fields> = {
  readonly [K in keyof F]?: F[K] extends Field<infer T> ? T : never;
} & {
  /** Offset of the mapping. */
  readonly $offset: number;
  /** Offset of each key present, for diagnostics about one field. */
  readonly $keys: { readonly [K in keyof F]?: number };
  /** Offset of each value present. */
  readonly $values: { readonly [K in keyof F]?: number };
};

export interface ObjectOptions {
  readonly description?: string;
  /** Identity files keep fields a person added (DESIGN §3); everything else rejects unknown keys. */
  readonly additionalKeys?: "reject" | "keep";
  /** Names the mapping in messages: "a role", "settings `guards`". */
  readonly noun: string;
}

export function object<F extends Fields>(fields: F, options: ObjectOptions): Decoder<Decoded<F>> {
  const names = Object.keys(fields);
  const shape: ObjectShape = {
    fields: new Map(
      names.map((name) => [name, { field: fields[name] as Field<unknown>, label: `\`${name}\`` }]),
    ),
    required: names.filter((name) => fields[name]?.required),
    options,
  };
  return {
    expected: `a mapping (${options.noun})`,
    decode(node, report, label) {
      if (node.kind !== "map") return mismatch(report, node, label, `a mapping (${options.noun})`);
      return decodeFields(node, shape, report) as Decoded<F>;
    },
    jsonSchema: () => ({
      type: "object",
      ...(options.description === undefined ? {} : { description: options.description }),
      properties: Object.fromEntries(names.map((name) => [name, fields[name]?.decoder.jsonSchema()])),
      ...(shape.required.length > 0 ? { required: shape.required } : {}),
      additionalProperties: options.additionalKeys === "keep",
    }),
  };
}

/** An object decoder's fields, prepared once so decoding thousands of files does no per-file setup. */
interface ObjectShape {
  readonly fields: ReadonlyMap<string, { readonly field: Field<unknown>; readonly label: string }>;
  readonly required: readonly string[];
  readonly options: ObjectOptions;
}

function decodeFields(node: YMap, shape: ObjectShape, report: DecodeReport): Record<string, unknown> {
  const keys: Record<string, number> = {};
  const valueOffsets: Record<string, number> = {};
  const result: Record<string, unknown> = { $offset: node.offset, $keys: keys, $values: valueOffsets };
  for (const entry of node.entries) {
    const known = shape.fields.get(entry.key);
    if (known === undefined) {
      if (shape.options.additionalKeys !== "keep")
        reportUnknownKey(entry.key, entry.keyOffset, shape, report);
      continue;
    }
    keys[entry.key] = entry.keyOffset;
    valueOffsets[entry.key] = entry.value.offset;
    const value = known.field.decoder.decode(entry.value, report, known.label);
    if (value !== undefined) result[entry.key] = value;
  }
  for (const name of shape.required) {
    if (keys[name] === undefined) {
      const expected = shape.fields.get(name)?.field.decoder.expected ?? "a value";
      report.error(node.offset, `${shape.options.noun} has no \`${name}\`; add \`${name}:\` (${expected})`);
    }
  }
  return result;
}

function reportUnknownKey(key: string, offset: number, shape: ObjectShape, report: DecodeReport): void {
  const known = [...shape.fields.keys()];
  const hint = suggestKey(key, known);
  report.error(
    offset,
    `unknown key \`${key}\` in ${shape.options.noun}; ${hint === undefined ? `remove it (known keys: ${known.join(", ")})` : `did you mean \`${hint}\`?`}`,
  );
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

/** The value a decoder produces. */
export type DecoderOutput<D> = D extends Decoder<infer T> ? T : never;
