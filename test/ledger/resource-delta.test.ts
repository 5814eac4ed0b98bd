/**
 * Journal records hold the change, not the whole resource: a delta replayed on the version before gives
 * back the version after as the same JSON text (attribute and member order included), and a member added
 * to a large group costs a few bytes, not the group.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ScimResource } from "../../src/ledger/ledger.js";
import { encodeRecord, recordOf } from "../../src/ledger/journal-record.js";
import { diffResource, replayDelta } from "../../src/ledger/resource-delta.js";
import { group, user } from "./ledger-fixture.js";

const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What the journal does: the delta goes through JSON, and is replayed on the resource before it. */
function replayed(before: ScimResource, after: ScimResource): string {
  return JSON.stringify(replayDelta(before, throughJson(diffResource(before, after))));
}

const memberValue = fc.constantFrom("u1", "u2", "u3", "u4", "u5", "u6");
const member = fc.record(
  { value: memberValue, display: fc.constantFrom("Ann", "Bob"), type: fc.constant("User") },
  { requiredKeys: ["value"] },
);
const attributes = fc.record(
  {
    displayName: fc.constantFrom("Ops", "Dev"),
    title: fc.constantFrom("a", "b"),
    active: fc.boolean(),
    name: fc.record({ givenName: fc.constantFrom("A", "B"), familyName: fc.constantFrom("C", "D") }),
    emails: fc.array(fc.record({ value: fc.constantFrom("x@y", "z@y"), primary: fc.boolean() }), {
      maxLength: 2,
    }),
    // Any list: repeated values and reorders must fall back to carrying the list whole.
    members: fc.array(member, { maxLength: 6 }),
    meta: fc.record({ lastModified: fc.constantFrom("t1", "t2") }),
  },
  { requiredKeys: [] },
);
/** Attributes in a shuffled order, so the order a delta must keep varies too. */
const resource = fc
  .tuple(attributes, fc.array(fc.nat(), { minLength: 7, maxLength: 7 }))
  .map(([values, weights]) => {
    const keys = Object.keys(values).sort(
      (a, b) => weights[a.length % 7]! - weights[b.length % 7]! || a.localeCompare(b),
    );
    const shaped: Record<string, unknown> = { id: "r1" };
    for (const key of keys) shaped[key] = values[key as keyof typeof values];
    return shaped as ScimResource;
  });

describe("resource deltas", () => {
  it("replay to exactly the resource after, as JSON text, whatever changed", () => {
    fc.assert(
      fc.property(resource, resource, (before, after) => {
        expect(replayed(before, after)).toBe(JSON.stringify(after));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keep a member added, removed or renamed in place, and the attribute order", () => {
    const before = group("g", "Ops", ["u1", "u2", "u3"]);
    const after = {
      ...before,
      members: [{ value: "u1" }, { value: "u3", display: "Cy" }, { value: "u9" }],
      meta: { lastModified: "now" },
    };
    const delta = diffResource(before, after);
    expect(delta).toEqual({
      set: { meta: { lastModified: "now" } },
      members: { remove: ["u2"], put: [{ value: "u3", display: "Cy" }, { value: "u9" }] },
    });
    expect(replayed(before, after)).toBe(JSON.stringify(after));
    const reordered = { ...before, members: [{ value: "u3" }, { value: "u1" }, { value: "u2" }] };
    expect(diffResource(before, reordered).set?.members).toEqual(reordered.members);
    expect(replayed(before, reordered)).toBe(JSON.stringify(reordered));
  });

  it("journal a member added to a 5,000-member group in well under a kilobyte", () => {
    const ids = Array.from({ length: 5_000 }, (_, n) => `user-${n}`);
    const before = group("g", "Everyone", ids);
    const after = { ...before, members: [...(before.members as object[]), { value: "user-new" }] };
    const change = { seq: 7, type: "Group" as const, id: "g", operation: "patch" as const, at: "t" };
    const line = encodeRecord(recordOf({ ...change, before, after }));
    const whole = encodeRecord(recordOf({ ...change, before: undefined, after }));
    expect(line.length).toBeLessThan(200);
    expect(whole.length).toBeGreaterThan(50_000);
  });

  it("journal a deactivation as the attributes it changed", () => {
    const before = user("u1", "ann@example.com", { title: "Engineer", phoneNumbers: [{ value: "+1" }] });
    const after = { ...before, active: false, meta: { ...(before.meta as object), lastModified: "later" } };
    const record = recordOf({ seq: 2, type: "User", id: "u1", operation: "patch", at: "t", before, after });
    expect(record.body).toEqual({
      kind: "delta",
      delta: { set: { active: false, meta: after.meta } },
    });
  });
});
