/**
 * Our own RFC 7644 §3.4.2.2 filter parser. scimmy's parser gets precedence wrong (defect 20), accepts
 * truncated filters (defect 14), crashes on a leading `and` (defect 21), refuses unquoted values with `@`
 * (defect 14), compares case-sensitively (defect 3) and never matches extension attributes (defect 12).
 * Precedence: `not` binds tighter than `and`, which binds tighter than `or`.
 */
import { ScimError } from "./errors.js";
import { MAX_EXPRESSION_LENGTH, MAX_NESTING } from "./expression-limits.js";
import { resolveAttributePath, resolveSubPath, type ResolvedPath } from "./attribute-path.js";
import type { ResourceSchema } from "./schemas.js";

export type CompareOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export type FilterNode =
  | { readonly kind: "and" | "or"; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: "not"; readonly operand: FilterNode }
  | { readonly kind: "present"; readonly path: ResolvedPath }
  | {
      readonly kind: "compare";
      readonly path: ResolvedPath;
      readonly operator: CompareOperator;
      readonly value: string | number | boolean | null;
    }
  | { readonly kind: "valuePath"; readonly path: ResolvedPath; readonly filter: FilterNode };

type Token =
  | { readonly kind: "(" | ")" | "[" | "]"; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "word"; readonly value: string; readonly at: number };

const OPERATORS = new Set<string>(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const KEYWORDS = new Set<string>(["and", "or", "not"]);

function invalidFilter(detail: string): ScimError {
  return new ScimError(400, `Invalid filter: ${detail}`, "invalidFilter");
}

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (/\s/.test(char)) {
      at++;
    } else if (char === "(" || char === ")" || char === "[" || char === "]") {
      tokens.push({ kind: char, at });
      at++;
    } else if (char === '"') {
      let end = at + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (end >= text.length) throw invalidFilter(`unterminated string starting at character ${at + 1}`);
      let value: unknown;
      try {
        value = JSON.parse(text.slice(at, end + 1));
      } catch {
        throw invalidFilter(`bad escape in the string starting at character ${at + 1}`);
      }
      tokens.push({ kind: "string", value: value as string, at });
      at = end + 1;
    } else {
      let end = at;
      while (end < text.length && !/[\s()[\]"]/.test(text[end]!)) end++;
      tokens.push({ kind: "word", value: text.slice(at, end), at });
      at = end;
    }
  }
  return tokens;
}

function literal(token: Token): string | number | boolean | null {
  if (token.kind === "string") return token.value;
  if (token.kind !== "word") throw invalidFilter(`expected a value at character ${token.at + 1}`);
  const word = token.value;
  if (word === "true" || word === "false") return word === "true";
  if (word === "null") return null;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(word)) return Number(word);
  // Entra documents `externalId eq jyoung`: an unquoted string is taken as a string.
  return word;
}

type Resolve = (name: string) => ResolvedPath | undefined;

class Parser {
  #position = 0;
  #depth = 0;
  readonly #tokens: Token[];

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(resolve: Resolve): FilterNode {
    if (this.#tokens.length === 0) throw invalidFilter("the filter is empty");
    const node = this.#or(resolve);
    const rest = this.#tokens[this.#position];
    if (rest !== undefined) throw invalidFilter(`unexpected ${show(rest)} at character ${rest.at + 1}`);
    return node;
  }

  #peekWord(): string | undefined {
    const token = this.#tokens[this.#position];
    return token?.kind === "word" ? token.value.toLowerCase() : undefined;
  }

  #next(what: string): Token {
    const token = this.#tokens[this.#position++];
    if (token === undefined) throw invalidFilter(`the filter ends where ${what} was expected`);
    return token;
  }

  #expect(kind: ")" | "]"): void {
    const token = this.#next(`"${kind}"`);
    if (token.kind !== kind) throw invalidFilter(`expected "${kind}" at character ${token.at + 1}`);
  }

  /** Each `(`, `[` and `not` is one level of recursion: bounded, so no filter can exhaust the stack. */
  #nested<T>(at: number, parse: () => T): T {
    if (++this.#depth > MAX_NESTING) {
      throw invalidFilter(
        `nested more than ${MAX_NESTING} levels deep at character ${at + 1} (each "(", "[" and "not" is a level); write it flatter`,
      );
    }
    const result = parse();
    this.#depth--;
    return result;
  }

  #or(resolve: Resolve): FilterNode {
    let left = this.#and(resolve);
    while (this.#peekWord() === "or") {
      this.#position++;
      left = { kind: "or", left, right: this.#and(resolve) };
    }
    return left;
  }

  #and(resolve: Resolve): FilterNode {
    let left = this.#not(resolve);
    while (this.#peekWord() === "and") {
      this.#position++;
      left = { kind: "and", left, right: this.#not(resolve) };
    }
    return left;
  }

  #not(resolve: Resolve): FilterNode {
    const token = this.#tokens[this.#position];
    if (token !== undefined && this.#peekWord() === "not") {
      this.#position++;
      return this.#nested(token.at, () => ({ kind: "not", operand: this.#not(resolve) }));
    }
    return this.#primary(resolve);
  }

  #primary(resolve: Resolve): FilterNode {
    const token = this.#next("an attribute or '('");
    if (token.kind === "(") {
      return this.#nested(token.at, () => {
        const inner = this.#or(resolve);
        this.#expect(")");
        return inner;
      });
    }
    if (token.kind !== "word" || KEYWORDS.has(token.value.toLowerCase())) {
      throw invalidFilter(`expected an attribute name at character ${token.at + 1}, found ${show(token)}`);
    }
    const path = resolve(token.value);
    if (path === undefined) throw invalidFilter(`unknown attribute "${token.value}"`);
    const open = this.#tokens[this.#position];
    if (open?.kind === "[") {
      this.#position++;
      const inner = this.#nested(open.at, () => {
        const filter = this.#or((name) => resolveSubPath(path, name));
        this.#expect("]");
        return filter;
      });
      return this.#afterValuePath(path, inner);
    }
    return this.#comparison(path);
  }

  /** `emails[type eq "work"].value eq "x"` (Entra) means `emails[type eq "work" and value eq "x"]`. */
  #afterValuePath(path: ResolvedPath, inner: FilterNode): FilterNode {
    const token = this.#tokens[this.#position];
    if (token?.kind === "word" && token.value.startsWith(".")) {
      this.#position++;
      const sub = resolveSubPath(path, token.value.slice(1));
      if (sub === undefined) throw invalidFilter(`unknown sub-attribute "${token.value.slice(1)}"`);
      return { kind: "valuePath", path, filter: { kind: "and", left: inner, right: this.#comparison(sub) } };
    }
    return { kind: "valuePath", path, filter: inner };
  }

  #comparison(path: ResolvedPath): FilterNode {
    const token = this.#next("an operator");
    const operator = token.kind === "word" ? token.value.toLowerCase() : "";
    if (operator === "pr") return { kind: "present", path };
    if (!OPERATORS.has(operator)) {
      throw invalidFilter(
        `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) at character ${token.at + 1}`,
      );
    }
    const value = this.#next("a value");
    if (value.kind === "word" && KEYWORDS.has(value.value.toLowerCase())) {
      throw invalidFilter(`expected a value at character ${value.at + 1}, found "${value.value}"`);
    }
    return { kind: "compare", path, operator: operator as CompareOperator, value: literal(value) };
  }
}

function show(token: Token): string {
  return token.kind === "word"
    ? `"${token.value}"`
    : token.kind === "string"
      ? "a string"
      : `"${token.kind}"`;
}

function boundedTokens(text: string): Token[] {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw invalidFilter(
      `the filter is ${text.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are accepted`,
    );
  }
  return tokenise(text);
}

export function parseFilter(schema: ResourceSchema, text: string): FilterNode {
  return new Parser(boundedTokens(text)).parse((name) => resolveAttributePath(schema, name));
}

/** Parses a value filter inside a PATCH path such as `emails[type eq "work"]`. */
export function parseValueFilter(outer: ResolvedPath, text: string): FilterNode {
  return new Parser(boundedTokens(text)).parse((name) => resolveSubPath(outer, name));
}
