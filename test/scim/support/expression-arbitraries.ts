/**
 * fast-check generators for SCIM filters and PATCH paths: valid ones from a small RFC 7644 §3.4.2.2
 * grammar, and near-misses made from them by one mutation that surely breaks them (a dropped quote or
 * bracket, a bad operator, an attribute name with a foreign character, nesting or length past the bounds).
 * Filters are built as token lists so a mutation hits a token of a known role, never the inside of a value.
 */
import fc from "fast-check";

type Role = "attr" | "op" | "value" | "open" | "close" | "logic";
interface Token {
  readonly role: Role;
  readonly text: string;
}
type Tokens = readonly Token[];

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** A name as clients may spell it: attribute names and operators are case-insensitive. */
const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.constantFrom(word, word.toUpperCase(), word.toLowerCase(), word[0]!.toUpperCase() + word.slice(1));

/** No `"` or `\` (so a dropped quote surely unbalances), no brackets, no control characters. */
const SAFE_TEXT = fc
  .string({ unit: "grapheme", maxLength: 12 })
  .map((text) => text.replace(/["\\()[\]\p{Cc}]/gu, ""));

const quoted = SAFE_TEXT.map((text) => JSON.stringify(text));
const STRING_OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

const tokens = (...parts: Token[]): Tokens => parts;
const attr = (text: string): Token => ({ role: "attr", text });
const op = (text: string): Token => ({ role: "op", text });
const value = (text: string): Token => ({ role: "value", text });
const logic = (text: string): Token => ({ role: "logic", text });
const open = (text: "(" | "["): Token => ({ role: "open", text });
const close = (text: ")" | "]"): Token => ({ role: "close", text });

function comparison(names: readonly string[]): fc.Arbitrary<Tokens> {
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...names).chain(anyCase),
        fc.constantFrom(...STRING_OPERATORS).chain(anyCase),
        quoted,
      )
      .map(([name, operator, text]) => tokens(attr(name), op(operator), value(text))),
    fc
      .constantFrom(...names)
      .chain(anyCase)
      .map((name) => tokens(attr(name), op("pr"))),
  );
}

const userComparison = fc.oneof(
  comparison([
    "userName",
    "displayName",
    "title",
    "externalId",
    "name.givenName",
    "emails.value",
    "emails.type",
    `${ENTERPRISE}:employeeNumber`,
  ]),
  fc
    .tuple(anyCase("active"), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false", '"False"'))
    .map(([name, operator, text]) => tokens(attr(name), op(operator), value(text))),
  fc
    .tuple(fc.constantFrom("gt", "ge", "lt", "le"), fc.date({ noInvalidDate: true }))
    .map(([operator, date]) =>
      tokens(attr("meta.lastModified"), op(operator), value(JSON.stringify(date.toISOString()))),
    ),
  fc
    .tuple(anyCase("emails"), comparison(["type", "value", "display"]), fc.boolean())
    .map(([name, inner, withSub]) =>
      tokens(
        attr(name),
        open("["),
        ...inner,
        close("]"),
        ...(withSub ? [attr(".value"), op("eq"), value('"a@example.com"')] : []),
      ),
    ),
);

const groupComparison = fc.oneof(
  comparison(["displayName", "externalId", "members.value", "members.display"]),
  fc
    .tuple(anyCase("members"), comparison(["value", "display"]))
    .map(([name, inner]) => tokens(attr(name), open("["), ...inner, close("]"))),
);

function filterOf(leaf: fc.Arbitrary<Tokens>): fc.Arbitrary<Tokens> {
  const { filter } = fc.letrec<{ filter: Tokens }>((tie) => ({
    filter: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc
        .tuple(tie("filter"), fc.constantFrom("and", "or").chain(anyCase), tie("filter"))
        .map(([left, word, right]) => tokens(...left, logic(word), ...right)),
      fc
        .tuple(fc.boolean(), tie("filter"))
        .map(([negate, inner]) => tokens(...(negate ? [logic("not")] : []), open("("), ...inner, close(")"))),
    ),
  }));
  return filter;
}

const render = (list: Tokens): string => list.map((token) => token.text).join(" ");

/** Valid User filters: every one of them must be answered with 200. */
export const validUserFilter = filterOf(userComparison).map(render);
/** Valid Group filters. */
export const validGroupFilter = filterOf(groupComparison).map(render);

const FOREIGN = ["ä", "名", "😀", "\u200b", "ß", "İ", "-", "$"];
const BAD_OPERATORS = ["eqq", "==", "=", "like", "!=", "equals", "e"];

/** One index of a token with one of the roles, or undefined when there is none. */
function pick(list: Tokens, roles: readonly Role[]): fc.Arbitrary<number | undefined> {
  const found = list.flatMap((token, index) => (roles.includes(token.role) ? [index] : []));
  return found.length === 0 ? fc.constant(undefined) : fc.constantFrom(...found);
}

function replaceAt(list: Tokens, index: number, text: string | undefined): Tokens {
  return list.flatMap((token, at) =>
    at !== index ? [token] : text === undefined ? [] : [{ ...token, text }],
  );
}

/** A mutation that makes any valid filter invalid; undefined when the filter offers nothing to mutate. */
function breakFilter(list: Tokens): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    // A dropped quote leaves a string unterminated.
    fc.tuple(pick(list, ["value"]), fc.boolean()).map(([index, first]) => {
      const text = index === undefined ? "" : list[index]!.text;
      if (index === undefined || !text.startsWith('"')) return undefined;
      return render(replaceAt(list, index, first ? text.slice(1) : text.slice(0, -1)));
    }),
    pick(list, ["open", "close"]).map((index) =>
      index === undefined ? undefined : render(replaceAt(list, index, undefined)),
    ),
    fc
      .tuple(pick(list, ["op"]), fc.constantFrom(...BAD_OPERATORS))
      .map(([index, bad]) => (index === undefined ? undefined : render(replaceAt(list, index, bad)))),
    fc.tuple(pick(list, ["attr"]), fc.constantFrom(...FOREIGN), fc.nat()).map(([index, foreign, where]) => {
      if (index === undefined) return undefined;
      const name = list[index]!.text.replace(/^\./, "");
      const at = 1 + (where % Math.max(1, name.length - 1));
      const prefix = list[index]!.text.startsWith(".") ? "." : "";
      return render(replaceAt(list, index, `${prefix}${name.slice(0, at)}${foreign}${name.slice(at)}`));
    }),
    // A doubled or leading logical operator.
    fc.constantFrom("and", "or", "AND").map((logic) => `${logic} ${render(list)}`),
    pick(list, ["logic"]).map((index) => {
      if (index === undefined || list[index]!.text.toLowerCase() === "not") return undefined;
      return render([...list.slice(0, index + 1), logic("and"), ...list.slice(index + 1)]);
    }),
    fc.tuple(fc.integer({ min: 33, max: 400 }), fc.boolean()).map(([depth, withNot]) => {
      const open = withNot ? "not (" : "(";
      return `${open.repeat(depth)}${render(list)}${")".repeat(depth)}`;
    }),
    fc.integer({ min: 8193, max: 20_000 }).map((length) => {
      const text = render(list);
      const padding = " or userName pr".repeat(Math.ceil((length - text.length) / 15) + 1);
      return `${text}${padding}`;
    }),
  );
}

/** Near-misses of valid filters, each surely invalid: must be 400 `invalidFilter`. */
export function brokenFilter(kind: "User" | "Group"): fc.Arbitrary<string> {
  return filterOf(kind === "User" ? userComparison : groupComparison)
    .chain(breakFilter)
    .filter((text): text is string => text !== undefined);
}

/** One random character edit of a valid filter: any answer but a 5xx. */
export const fuzzedFilter = fc
  .tuple(
    validUserFilter,
    fc.nat(),
    fc.constantFrom("delete", "insert", "swap"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  )
  .map(([text, where, edit, char]) => {
    const at = text.length === 0 ? 0 : where % text.length;
    if (edit === "delete") return text.slice(0, at) + text.slice(at + 1);
    if (edit === "insert") return text.slice(0, at) + char + text.slice(at);
    return text.slice(0, at) + char + text.slice(at + 1);
  });

export interface PathCase {
  readonly path: string;
  readonly value: unknown;
}

/** PATCH paths on a User that exist, each with a value of the right type: must be 2xx. */
export const validUserPath: fc.Arbitrary<PathCase> = fc.oneof(
  fc.tuple(anyCase("title"), SAFE_TEXT).map(([path, text]) => ({ path, value: text || "t" })),
  fc
    .tuple(anyCase("name"), SAFE_TEXT)
    .map(([name, text]) => ({ path: `${name}.givenName`, value: text || "g" })),
  fc.constantFrom("true", "false", "False", "True").map((flag) => ({ path: "active", value: flag })),
  fc.constant({ path: `${ENTERPRISE}:employeeNumber`, value: "42" }),
  fc
    .tuple(fc.constantFrom("work", "home", "other"), fc.constantFrom("value", "display"), SAFE_TEXT)
    .map(([type, sub, text]) => ({
      path: `emails[type eq "${type}"].${sub}`,
      value: `${text.replace(/\s/g, "") || "x"}@example.com`,
    })),
  fc.constant({ path: 'emails[type eq "work"]', value: { value: "w@example.com", primary: true } }),
);

/** Paths that are surely malformed or name nothing: 400 `invalidPath` or `invalidFilter`. */
export const brokenUserPath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'emails[type eq "work"',
    'emailstype eq "work"].value',
    'emails[type eq "work].value',
    'emails[type eqq "work"].value',
    'emails[type eq "work"].',
    "name..givenName",
    "name.",
    ".title",
    "emails[]",
    "emails[type eq]",
    "emails[and type pr]",
    "title[value pr]",
    "urn:ietf:params:scim:schemas:extension:nosuch:2.0:User:x",
  ),
  fc
    .tuple(fc.constantFrom("title", "name.givenName", "nickName"), fc.constantFrom(...FOREIGN), fc.nat())
    .map(([name, foreign, where]) => {
      const at = 1 + (where % (name.length - 1));
      return `${name.slice(0, at)}${foreign}${name.slice(at)}`;
    }),
  fc
    .integer({ min: 33, max: 3000 })
    .map((depth) => `emails[${"(".repeat(depth)}type eq "work"${")".repeat(depth)}]`),
  fc.integer({ min: 8193, max: 20_000 }).map((length) => `emails[value eq "${"a".repeat(length)}"].type`),
);

/** Group paths that are surely malformed or name nothing. */
export const brokenGroupPath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'members[value eq "x"',
    'members[valu eq "x"]',
    'members[value eq "x"].',
    'members[value == "x"]',
    'members[value eq "x]',
    "member",
    "members..value",
    "displayName[value pr]",
  ),
  fc
    .integer({ min: 33, max: 3000 })
    .map((depth) => `members[${"not (".repeat(depth)}value pr${")".repeat(depth)}]`),
);

/** Any text as a path, with near-miss pieces mixed in. */
export const arbitraryPath: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ unit: "grapheme", minLength: 1 }),
  fc
    .array(
      fc.constantFrom(
        "emails",
        "members",
        "[",
        "]",
        ".",
        "value",
        "type",
        " eq ",
        '"work"',
        '"',
        "(",
        ")",
        " and ",
        "not ",
        ENTERPRISE,
        ":",
        "manager",
        "title",
        "名",
      ),
      { minLength: 1, maxLength: 10 },
    )
    .map((parts) => parts.join("")),
);
