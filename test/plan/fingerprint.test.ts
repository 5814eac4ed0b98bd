import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, fingerprintState } from "../../src/plan/fingerprint.js";

/**
 * The definition saved plans were fingerprinted with: JSON.stringify with a key-sorted copy of every object.
 * A faster writer must print exactly this, or every plan saved before it would read as stale.
 */
function definition(value: unknown): string {
  const sortKeys = (record: Record<string, unknown>) => {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) sorted[key] = record[key];
    return sorted;
  };
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Map) return sortKeys(Object.fromEntries(item as Map<string, unknown>));
      if (item instanceof Set) return [...(item as Set<unknown>)];
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        return sortKeys(item as Record<string, unknown>);
      }
      return item;
    }) ?? "null"
  );
}

const key = fc.oneof(
  fc.string(),
  fc.constantFrom("0", "1", "10", "9", "01", "-1", "4294967294", "4294967295", "a", "B", "__proto__x"),
);
const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(-0),
  fc.date({ noInvalidDate: true }),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("value")),
    fc.array(fc.string()),
    fc.dictionary(key, tie("value")),
    fc.dictionary(key, tie("value")).map((record) => new Map(Object.entries(record))),
    fc.array(tie("value")).map((items) => new Set(items)),
  ),
}));

describe("canonicalJson", () => {
  it("prints what JSON.stringify with key-sorted copies prints, for any JSON-like value", () => {
    fc.assert(
      fc.property(value, (input) => {
        expect(canonicalJson(input)).toBe(definition(input));
      }),
      { numRuns: 2_000 },
    );
  });

  it("orders keys like the sorted copy: array indexes first, by number, then the rest", () => {
    expect(canonicalJson({ b: 1, 10: 2, a: [3, { z: 1, y: 2 }], 9: 4 })).toBe(
      '{"9":4,"10":2,"a":[3,{"y":2,"z":1}],"b":1}',
    );
  });

  it("fingerprints equal states equally whatever their key order", () => {
    expect(fingerprintState({ tenants: { b: [], a: ["x"] }, missing: [] })).toBe(
      fingerprintState({ missing: [], tenants: { a: ["x"], b: [] } }),
    );
  });
});
