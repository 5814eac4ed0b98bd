import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortedProvenance, sortedUnique } from "../../src/policy/compile/compile-grants.js";
import type { Provenance } from "../../src/policy/model/effective-access.js";

/** The definitions compiled grants were built with; faster loops must give exactly these. */
function uniqueDefinition(values: readonly string[]): string[] {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((value, index) => index === 0 || value !== sorted[index - 1]);
}

function provenanceDefinition(all: readonly Provenance[]): Provenance[] {
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const at = (a: Provenance["binding"], b: Provenance["binding"]) =>
    text(a.file, b.file) || a.line - b.line || a.col - b.col;
  const compare = (a: Provenance, b: Provenance) =>
    text(a.subject, b.subject) ||
    at(a.binding, b.binding) ||
    text(a.role, b.role) ||
    at(a.roleEntry, b.roleEntry);
  const sorted = [...all].sort(compare);
  return sorted.filter((because, index) => index === 0 || compare(because, sorted[index - 1]!) !== 0);
}

// Few distinct characters, so repeats and shared prefixes are common; astral ones for UTF-16 order.
const subject = fc.string({ unit: fc.constantFrom("a", "b", ".", ">", "*", "B", "é", "😀"), maxLength: 4 });
const location = fc.record({
  file: fc.constantFrom("access/a.yaml", "access/b.yaml"),
  line: fc.integer({ min: 1, max: 3 }),
  col: fc.integer({ min: 1, max: 3 }),
});
const provenance = fc.record({
  subject: fc.constantFrom("group:a", "group:b", "user:x"),
  binding: location,
  role: fc.constantFrom("reader", "writer"),
  roleEntry: location,
});

describe("compile's merge helpers", () => {
  it("sortedUnique sorts by UTF-16 code units and drops repeats, as the comparator-and-filter definition", () => {
    fc.assert(
      fc.property(fc.array(subject, { maxLength: 12 }), (values) => {
        expect(sortedUnique([...values])).toEqual(uniqueDefinition(values));
      }),
      { numRuns: 2_000 },
    );
  });

  it("sortedProvenance keeps each binding → role → entry once, sorted, as the sort-and-filter definition", () => {
    fc.assert(
      fc.property(fc.array(provenance, { minLength: 2, maxLength: 8 }), (all) => {
        const sources = all.map((because) => ({ because, alone: [because] }));
        expect(sortedProvenance(sources)).toEqual(provenanceDefinition(all));
      }),
      { numRuns: 1_000 },
    );
  });
});
