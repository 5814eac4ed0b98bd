import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderGroupFile, renderUserFile } from "../../src/policy/identities/identity-file.js";
import type { UserFileFields } from "../../src/policy/identities/identity-file.js";
import { parseYaml } from "../../src/policy/yaml/load-yaml.js";
import { parseYamlDocument } from "../../src/policy/yaml/load-yaml-parse.js";

/** Strings YAML likes to misread: booleans, numbers, nulls, comment and mapping markers, odd spacing. */
const awkward = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
  fc.constantFrom(
    "true",
    "False",
    "null",
    "~",
    "123",
    "1e5",
    "0x1F",
    "-",
    "#tag",
    "a: b",
    " lead",
    "trail ",
    "日本",
    "alice\u00a0",
    "Zoë\u2003",
    "x\ufeff",
    "form\f",
    "tab\v",
  ),
);

const userFields: fc.Arbitrary<UserFileFields> = fc.record(
  {
    id: awkward,
    externalId: awkward,
    userName: awkward,
    displayName: awkward,
    name: fc.record(
      { givenName: awkward, familyName: awkward, middleName: awkward, formatted: awkward },
      { requiredKeys: ["givenName"] },
    ),
    active: fc.boolean(),
    emails: fc.array(awkward, { maxLength: 3 }),
    created: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    deleted: fc.constant("2026-11-29T02:00:00.000Z"),
  },
  { requiredKeys: ["id", "userName", "active", "emails"] },
);

describe("identity-file properties", () => {
  it("a user file reads back as exactly the fields written, and re-rendering changes nothing", () => {
    fc.assert(
      fc.property(userFields, (fields) => {
        const text = renderUserFile(undefined, fields);
        expect(parse(text)).toEqual(fields);
        // Policy loading (the fast path where it can) reads the file as the yaml package does.
        expect(parseYaml(text)).toEqual(parseYamlDocument(text));
        expect(renderUserFile(text, fields)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("an edit keeps a person's key and comment and records a changed userName once", () => {
    fc.assert(
      fc.property(userFields, userFields, (first, second) => {
        const text = `# kept\n${renderUserFile(undefined, first)}team: payments # theirs\n`;
        const next = renderUserFile(text, second);
        const parsed = parse(next) as Record<string, unknown>;
        expect(next.startsWith("# kept\n")).toBe(true);
        expect(next).toContain("team: payments # theirs");
        const former = first.userName === second.userName ? undefined : [first.userName];
        expect(parsed).toEqual({
          ...second,
          ...(former ? { formerUserNames: former } : {}),
          team: "payments",
        });
        expect(renderUserFile(next, second)).toBe(next);
      }),
      { numRuns: 300 },
    );
  });

  it("a group file holds its members sorted and unique", () => {
    fc.assert(
      fc.property(awkward, fc.array(awkward, { maxLength: 8 }), (displayName, members) => {
        const text = renderGroupFile(undefined, { id: "g", displayName, members });
        expect((parse(text) as { members: string[] }).members).toEqual([...new Set(members)].sort());
      }),
      { numRuns: 200 },
    );
  });
});
