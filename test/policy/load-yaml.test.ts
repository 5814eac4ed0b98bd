import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stringify } from "yaml";
import { parseYamlFast } from "../../src/policy/yaml/load-yaml-fast.js";
import { parseYamlDocument } from "../../src/policy/yaml/load-yaml-parse.js";
import { parseYaml } from "../../src/policy/yaml/load-yaml.js";
import { readPolicyDir } from "../../src/repos/policy-files.js";
import { generatePolicyFiles } from "../../bench/generate-policy.js";
import { join } from "node:path";

/** The fast path must give exactly the tree (values and offsets) the full parser gives, or give up. */
function expectSameAsFullParser(text: string): boolean {
  const fast = parseYamlFast(text);
  if (fast === undefined) return false;
  const full = parseYamlDocument(text);
  expect(full.problems, text).toEqual([]);
  expect(fast.root, text).toEqual(full.root);
  return true;
}

const HANDLED = [
  "id: 2819c223\nexternalId: 00u1\nuserName: alice@example.com\ndisplayName: Alice Doe\nactive: true\nemails:\n  - alice@example.com\n",
  "# a comment\n\nmembers:\n- a\n- b # trailing\n\n# end\n",
  "roles:\n  writer:\n    pulsar:\n      - namespace: acme/payments   # tenant/namespace\n        actions: [produce, consume]\n      - topic: persistent://acme/payments/ledger\n        actions: [consume]\n",
  "nats:\n  - account: APP\n    publish: [\"payments.>\", '_INBOX.>']\n    subscribe: [ a.* , b ,]\n",
  "a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 1.5\nf: .inf\ng: -.Inf\nh: .nan\ni: 1e3\nj: ~\nk: null\nl: True\nm: FALSE\nn: 25%\no: 2026-12-31\np: +7\nq: 1.\n",
  "empty:\nnext: x\nquoted: 'it''s'\ndq: \"a # not a comment\"\n",
  "list: []\nkey with spaces: value with spaces\nurl: http://x/y\n",
  "- a: 1\n  b: [x]\n-   c: 2\n    d:\n      - z\n",
  "   indented: root\n   second: 2\n",
  "a:\n  - b\n  -\n    c: 1\n",
  "true: yes\n1: one\n",
  "",
  "# only comments\n",
];

const GIVEN_UP = [
  "a: &x 1\nb: *x\n",
  "a: !tag x\n",
  "a: |\n  block\n",
  "a: {b: 1}\n",
  "a: b\n  continued\n",
  'a: "esc\\n"\n',
  "a: 1\na: 2\n",
  "a:\tb\n",
  "a: 1\r\nb: 2\r\n",
  "---\na: 1\n",
  "a: [1,\n  2]\n",
  "a: b: c\n",
  "- - x\n",
  "plain scalar document\n",
  "a:\n  b: 1\n c: 2\n",
  "key:value\n",
  "a: [b]]\n",
];

describe("the fast YAML path", () => {
  it.each(HANDLED)("parses %j exactly as the full parser does", (text) => {
    expect(expectSameAsFullParser(text)).toBe(true);
  });

  it.each(GIVEN_UP)("hands %j to the full parser", (text) => {
    expect(parseYamlFast(text)).toBeUndefined();
  });

  it("takes every file of the example policy and of a generated one, with the full parser's result", async () => {
    const example = await readPolicyDir(join(import.meta.dirname, "..", "..", "policies"));
    const generated = generatePolicyFiles({
      users: 20,
      groups: 4,
      membersPerGroup: 5,
      roles: 4,
      namespaces: 8,
    });
    for (const text of [...example.values(), ...generated.values()])
      expect(expectSameAsFullParser(text)).toBe(true);
  });

  /** Characters JavaScript's trim() removes but YAML keeps (YAML 1.2 §5.5: only space and tab are s-white). */
  const NOT_YAML_WHITE = ["\u00a0", "\u2003", "\u3000", "\u2028", "\u2029", "\u0085", "\ufeff", "\f", "\v"];

  it.each(NOT_YAML_WHITE)("keeps %j at the end of a value, as YAML does", (space) => {
    for (const text of [
      stringify({ userName: `alice${space}` }),
      `userName: alice${space}\n`,
      `userName: alice ${space}  # note\n`,
      `emails:\n  - alice${space}\n`,
      `emails: [alice${space}, bob]\n`,
      `key${space}: value\n`,
      `a: x\n${space}b: y\n`,
    ]) {
      const parsed = parseYaml(text);
      const full = parseYamlDocument(text);
      expect(parsed, JSON.stringify(text)).toEqual(full);
    }
    expect(parseYaml(stringify({ userName: `alice${space}` })).root).toMatchObject({
      entries: [{ key: "userName", value: { value: `alice${space}` } }],
    });
  });

  it("refuses a key longer than 1,024 characters exactly where the yaml package does", () => {
    for (const length of [1024, 1025]) {
      for (const text of [
        `${"k".repeat(length)}: v\n`,
        `- ${"k".repeat(length)}: v\n`,
        `a:\n  ${"é".repeat(length)}: v\n`,
      ]) {
        const parsed = parseYaml(text);
        expect(parsed, `${length}: ${text.slice(0, 8)}`).toEqual(parseYamlDocument(text));
        expect(parsed.problems.length > 0, `${length}: ${text.slice(0, 8)}`).toBe(length > 1024);
      }
    }
  });

  it("reports syntax errors through the full parser, with their offsets", () => {
    const parsed = parseYaml("a: [1, 2\nb: 3\n");
    expect(parsed.root).toBeUndefined();
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems[0]?.severity).toBe("error");
  });

  it("agrees with the full parser on generated block documents", () => {
    const key = fc.stringMatching(/^[a-z][a-zA-Z0-9_./-]{0,8}$/);
    const plain = fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9_./@%+~-][a-zA-Z0-9 _./@%+>*:-]{0,10}$/),
      fc.constantFrom(
        "true",
        "False",
        "null",
        "~",
        "12",
        "-3",
        "0x1f",
        "0o7",
        "1.5",
        "1e3",
        ".inf",
        ".NaN",
        "2027-06-30",
      ),
    );
    const scalar = fc.oneof(
      plain,
      plain.map((text) => `"${text.replaceAll('"', "")}"`),
      plain.map((text) => `'${text.replaceAll("'", "''")}'`),
    );
    const flow = fc.array(scalar, { maxLength: 4 }).map((items) => `[${items.join(", ")}]`);
    const comment = fc.constantFrom("", " # note", "  #x");
    const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, flow, tie("map"), tie("seq")),
      map: fc.dictionary(key, tie("node"), { minKeys: 1, maxKeys: 4 }),
      seq: fc.array(tie("node"), { minLength: 1, maxLength: 4 }),
    })).node;
    let handled = 0;
    fc.assert(
      fc.property(
        tree,
        fc.array(comment, { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (root, comments, compact) => {
          const text = render(root, 0, comments, compact);
          if (expectSameAsFullParser(text)) handled++;
        },
      ),
      { numRuns: 400 },
    );
    // Most generated documents are plain block YAML: the fast path must actually take them.
    expect(handled).toBeGreaterThan(100);
  });

  /** Any Unicode, weighted towards what YAML and JavaScript disagree about. */
  const unicodeText = (maxLength: number) =>
    fc.string({
      unit: fc.oneof(
        { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
        { weight: 2, arbitrary: fc.constantFrom(...NOT_YAML_WHITE, " ", "-", ":", "#", "'", '"', "é", "日") },
      ),
      maxLength,
    });

  it("agrees with the full parser on documents the yaml package writes from any Unicode text", () => {
    // Policy keys are mostly plain words, which the fast path takes; any Unicode key sends it to `yaml`.
    const key = fc.oneof(
      { weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,6}$/) },
      { weight: 1, arbitrary: unicodeText(8) },
    );
    const text = fc.oneof(
      { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z0-9@. ]{1,12}$/) },
      { weight: 3, arbitrary: unicodeText(12) },
    );
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, text, tie("map"), tie("seq")),
      map: fc.dictionary(key, tie("node"), { minKeys: 1, maxKeys: 4 }),
      seq: fc.array(tie("node"), { minLength: 1, maxLength: 4 }),
    })).node;
    let handled = 0;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), (document) => {
        if (expectSameAsFullParser(stringify(document, { lineWidth: 0 }))) handled++;
      }),
      { numRuns: 1000 },
    );
    // One exotic value sends a whole document to `yaml`; still, plain ones must go the fast way (~8% here).
    expect(handled).toBeGreaterThan(40);
  });

  it("agrees with the full parser on hand-written block documents of any Unicode text", () => {
    const plain = unicodeText(10).filter((text) => text.trim() !== "");
    const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, plain, tie("map"), tie("seq")),
      map: fc.dictionary(plain, tie("node"), { minKeys: 1, maxKeys: 4 }),
      seq: fc.array(tie("node"), { minLength: 1, maxLength: 4 }),
    })).node;
    fc.assert(
      fc.property(tree, fc.boolean(), (root, compact) => {
        const text = render(root, 0, [""], compact);
        const fast = parseYamlFast(text);
        if (fast === undefined) return;
        const full = parseYamlDocument(text);
        expect(full.problems, JSON.stringify(text)).toEqual([]);
        expect(fast.root, JSON.stringify(text)).toEqual(full.root);
      }),
      { numRuns: 2000 },
    );
  });

  it("never disagrees with the full parser on arbitrary Unicode text", () => {
    const line = fc.tuple(
      fc.constantFrom("", "  ", "- ", "  - "),
      unicodeText(10),
      fc.constantFrom(": ", ":", " # ", ", ", ""),
      unicodeText(10),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
        const source = lines.map((parts) => parts.join("")).join("\n");
        const fast = parseYamlFast(source);
        if (fast === undefined) return;
        const full = parseYamlDocument(source);
        expect(full.problems, JSON.stringify(source)).toEqual([]);
        expect(fast.root, JSON.stringify(source)).toEqual(full.root);
      }),
      { numRuns: 3000 },
    );
  });

  it("never disagrees with the full parser on arbitrary YAML-ish text", () => {
    const text = fc.stringMatching(/^[a-z0-9 :\-#'"[\],.>*\n]{0,60}$/);
    fc.assert(
      fc.property(text, (source) => {
        const fast = parseYamlFast(source);
        if (fast === undefined) return;
        const full = parseYamlDocument(source);
        expect(full.problems, source).toEqual([]);
        expect(fast.root, source).toEqual(full.root);
      }),
      { numRuns: 3000 },
    );
  });
});

function render(node: unknown, indent: number, comments: readonly string[], compact: boolean): string {
  const pad = " ".repeat(indent);
  const note = (depth: number): string => comments[depth % comments.length] ?? "";
  if (typeof node === "string") return `${pad}${node}${note(indent)}\n`;
  if (Array.isArray(node)) {
    return node
      .map((item) =>
        typeof item === "string"
          ? `${pad}- ${item}${note(indent + 1)}\n`
          : `${pad}-\n${render(item, indent + 2, comments, compact)}`,
      )
      .join("");
  }
  return Object.entries(node as Record<string, unknown>)
    .map(([key, value]) => {
      if (typeof value === "string") return `${pad}${key}: ${value}${note(indent + 2)}\n`;
      const nested = Array.isArray(value) && compact ? indent : indent + 2;
      return `${pad}${key}:${note(indent + 3)}\n${render(value, nested, comments, compact)}`;
    })
    .join("");
}
