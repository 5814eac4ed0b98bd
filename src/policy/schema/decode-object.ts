import type { YMap } from "../yaml/load-yaml-tree.js";
import { mismatch } from "./decoder.js";
import type { DecodeReport, Decoder } from "./decoder.js";
import { suggestKey } from "./suggest-key.js";

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
  let suggested: string[] | undefined;
  for (const entry of node.entries) {
    const known = shape.fields.get(entry.key);
    if (known === undefined) {
      if (shape.options.additionalKeys !== "keep") {
        const hint = reportUnknownKey(entry.key, entry.keyOffset, shape, report);
        if (hint !== undefined) (suggested ??= []).push(hint);
      }
      continue;
    }
    keys[entry.key] = entry.keyOffset;
    valueOffsets[entry.key] = entry.value.offset;
    const value = known.field.decoder.decode(entry.value, report, known.label);
    if (value !== undefined) result[entry.key] = value;
  }
  for (const name of shape.required) {
    // A misspelt required key is one mistake: the unknown-key message already names the right spelling.
    if (keys[name] === undefined && !suggested?.includes(name)) {
      const expected = shape.fields.get(name)?.field.decoder.expected ?? "a value";
      report.error(node.offset, `${shape.options.noun} has no \`${name}\`; add \`${name}:\` (${expected})`);
    }
  }
  return result;
}

/** Reports the key and returns the known key it most likely meant, if any. */
function reportUnknownKey(
  key: string,
  offset: number,
  shape: ObjectShape,
  report: DecodeReport,
): string | undefined {
  const known = [...shape.fields.keys()];
  const hint = suggestKey(key, known);
  report.error(
    offset,
    `unknown key \`${key}\` in ${shape.options.noun}; ${hint === undefined ? `remove it (known keys: ${known.join(", ")})` : `did you mean \`${hint}\`?`}`,
  );
  return hint;
}
