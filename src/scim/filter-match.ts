/**
 * Evaluates a parsed filter against a stored resource. String comparisons follow each attribute's
 * `caseExact` (userName, displayName and emails are case-insensitive; id and externalId exact).
 */
import type { CompareOperator, FilterNode } from "./filter-parse.js";
import type { ResolvedPath } from "./attribute-path.js";
import type { AttributeInfo } from "./schemas.js";
import { ScimError } from "./errors.js";
import { isObject, textOf, type Json } from "./normalise.js";

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The values a path points at; complex multi-valued attributes without a sub-attribute mean `.value`. */
function valuesAt(root: Json, path: ResolvedPath): { values: unknown[]; info: AttributeInfo } {
  const container = path.extension === undefined ? root : root[path.extension];
  if (!isObject(container)) return { values: [], info: path.sub ?? path.attribute };
  const raw = asList(container[path.attribute.name]);
  const sub =
    path.sub ?? (path.attribute.type === "complex" ? path.attribute.subAttributes.get("value") : undefined);
  if (sub === undefined) return { values: raw, info: path.attribute };
  return { values: raw.map((entry) => (isObject(entry) ? entry[sub.name] : undefined)), info: sub };
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return undefined;
}

function compareOne(
  actual: unknown,
  operator: CompareOperator,
  expected: unknown,
  info: AttributeInfo,
): boolean {
  if (actual === undefined || actual === null) return false;
  if (info.type === "boolean") {
    const a = toBoolean(actual);
    const b = toBoolean(expected);
    if (operator !== "eq" && operator !== "ne") {
      throw new ScimError(400, `Invalid filter: "${operator}" cannot compare booleans`, "invalidFilter");
    }
    return a !== undefined && a === b;
  }
  if (info.type === "integer" || info.type === "decimal") {
    return ordered(Number(actual), operator, Number(expected));
  }
  if (info.type === "dateTime" && ["gt", "ge", "lt", "le"].includes(operator)) {
    return ordered(Date.parse(textOf(actual)), operator, Date.parse(textOf(expected)));
  }
  if (expected === null) return false;
  const a = info.caseExact ? textOf(actual) : textOf(actual).toLowerCase();
  const b = info.caseExact ? textOf(expected) : textOf(expected).toLowerCase();
  switch (operator) {
    case "co":
      return a.includes(b);
    case "sw":
      return a.startsWith(b);
    case "ew":
      return a.endsWith(b);
    case "eq":
    case "ne":
    case "gt":
    case "ge":
    case "lt":
    case "le":
      return ordered(a, operator, b);
  }
}

function ordered<T extends number | string>(a: T, operator: CompareOperator, b: T): boolean {
  switch (operator) {
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
    case "eq":
    case "ne":
      return a === b;
    case "co":
    case "sw":
    case "ew":
      return false;
  }
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

export function matchesFilter(node: FilterNode, root: Json): boolean {
  switch (node.kind) {
    case "and":
      return matchesFilter(node.left, root) && matchesFilter(node.right, root);
    case "or":
      return matchesFilter(node.left, root) || matchesFilter(node.right, root);
    case "not":
      return !matchesFilter(node.operand, root);
    case "present":
      return valuesAt(root, node.path).values.some(isPresent);
    case "compare": {
      const { values, info } = valuesAt(root, node.path);
      if (node.operator === "ne") return !values.some((value) => compareOne(value, "eq", node.value, info));
      return values.some((value) => compareOne(value, node.operator, node.value, info));
    }
    case "valuePath": {
      const container = node.path.extension === undefined ? root : root[node.path.extension];
      if (!isObject(container)) return false;
      return asList(container[node.path.attribute.name]).some(
        (entry) => isObject(entry) && matchesFilter(node.filter, entry),
      );
    }
  }
}

export interface PinnedLookup {
  readonly by: "name" | "externalId" | "email";
  readonly value: string;
}

/**
 * An equality the whole filter depends on (a term of its top-level `and` chain) that an index can answer:
 * userName/displayName, externalId or an email address. The filter is still evaluated on the candidates.
 */
export function pinnedLookup(node: FilterNode, nameAttribute: string): PinnedLookup | undefined {
  if (node.kind === "and")
    return pinnedLookup(node.left, nameAttribute) ?? pinnedLookup(node.right, nameAttribute);
  if (node.kind === "valuePath") {
    return node.path.extension === undefined && node.path.attribute.name === "emails"
      ? emailIn(node.filter)
      : undefined;
  }
  if (node.kind !== "compare" || node.operator !== "eq" || typeof node.value !== "string") return undefined;
  if (node.path.extension !== undefined) return undefined;
  const { attribute, sub } = node.path;
  if (attribute.name === nameAttribute && sub === undefined) return { by: "name", value: node.value };
  if (attribute.name === "externalId" && sub === undefined) return { by: "externalId", value: node.value };
  if (attribute.name === "emails" && (sub === undefined || sub.name === "value"))
    return { by: "email", value: node.value };
  return undefined;
}

/** `value eq "x"` inside `emails[…]`, anywhere in an `and` chain. */
function emailIn(node: FilterNode): PinnedLookup | undefined {
  if (node.kind === "and") return emailIn(node.left) ?? emailIn(node.right);
  if (
    node.kind === "compare" &&
    node.operator === "eq" &&
    typeof node.value === "string" &&
    node.path.attribute.name === "value"
  ) {
    return { by: "email", value: node.value };
  }
  return undefined;
}
