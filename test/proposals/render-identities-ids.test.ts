/**
 * The renderer finds each identity file's SCIM id through the policy loader's parser (fast path, then the
 * full parser) instead of `yaml.parse`: the ids it finds must be exactly those `yaml.parse` reads, for the
 * bot's own files and for whatever a person may have written.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { IdentityRenderer } from "../../src/proposals/render-identities.js";

/** The definition it replaced. */
function idByYamlParse(text: string): string | undefined {
  try {
    const document: unknown = parse(text);
    const value =
      typeof document === "object" && document !== null ? (document as { id?: unknown }).id : undefined;
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  } catch {
    return undefined;
  }
}

const TEXTS = [
  "id: 2819c223-7f76-453a-919d-413861904646\nuserName: alice@example.com\nactive: true\n",
  "# kept by a person\nid: '902c246b'\nuserName: bob@example.com\n",
  'id: "quoted \\u0041 id"\n',
  "id: 00123\n",
  "id: 1e3\n",
  "id: 0x1F\n",
  "id: true\n",
  "id: null\n",
  "id:\n",
  "id: [a, b]\n",
  "id:\n  nested: x\n",
  "id: first\nid: second\n",
  "{ id: flow-map, userName: x }\n",
  "- id: in-a-sequence\n",
  "just text\n",
  "",
  "# only a comment\n",
  "id: &anchor anchored\nother: *anchor\n",
  "id: !!str 42\n",
  "id: |\n  block\n",
  "userName: no-id@example.com\n",
  "id: tab\there\n",
  "id: crlf\r\nuserName: x\r\n",
  "id: x\n  bad: indentation\n",
  "---\nid: one\n---\nid: two\n",
  "id: trailing-comment # not part of it\n",
  "id: 'it''s'\n",
];

describe("IdentityRenderer.indexById", () => {
  it("reads every file's id exactly as yaml.parse does", () => {
    const renderer = new IdentityRenderer();
    const files = new Map(TEXTS.map((text, index) => [`users/file-${index}.yaml`, text]));
    const { users } = renderer.indexById(files);
    const found = new Map([...users].map(([id, path]) => [path, id]));
    const expected = [...files].map(([path, text]) => ({ text, id: idByYamlParse(text), path }));
    // Each readable id is distinct here, so every file keeps its own.
    const ids = expected.flatMap(({ id }) => (id === undefined ? [] : [id]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(expected.map(({ text, path }) => ({ text, id: found.get(path) }))).toEqual(
      expected.map(({ text, id }) => ({ text, id })),
    );
    expect(users.size).toBeGreaterThan(10);
  });
});
