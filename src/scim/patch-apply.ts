/**
 * Applies PatchOp operations to a stored resource, on plain JSON, with RFC 7644 §3.5.2 semantics where
 * scimmy's PatchOp departs from them: filtered add/replace on an entry that does not exist yet creates it
 * (defect 5), a pathless replace of a multi-valued attribute replaces it (defect 6), re-adding a member
 * changes nothing (defect 7), a partial complex replace keeps the other sub-attributes (defect 22), and
 * pathless values may use dotted and URN keys (Entra with aadOptscim062020).
 */
import { splitUrn } from "./attribute-path.js";
import { ScimError } from "./errors.js";
import { matchesFilter } from "./filter-match.js";
import { parseValueFilter, type FilterNode } from "./filter-parse.js";
import { dedupe, isObject, normaliseValue, type Json } from "./normalise.js";
import type { PatchOperation } from "./patch-request.js";
import type { AttributeInfo, ResourceSchema } from "./schemas.js";

type Op = PatchOperation["op"];

type PatchTarget =
  | { readonly kind: "extension"; readonly urn: string }
  | {
      readonly kind: "attribute";
      readonly extension: string | undefined;
      readonly attribute: AttributeInfo;
      readonly filter: FilterNode | undefined;
      readonly sub: AttributeInfo | undefined;
    };

const PATH_SHAPE = /^([^.[\]]+)(?:\[(.+)\])?(?:\.([^.[\]]+))?$/;

function invalidPath(path: string, why: string): ScimError {
  return new ScimError(400, `Invalid path "${path}": ${why}`, "invalidPath");
}

function parsePatchPath(schema: ResourceSchema, path: string): PatchTarget {
  const { urn, rest } = splitUrn(schema, path);
  if (path.toLowerCase().startsWith("urn:") && urn === undefined)
    throw invalidPath(path, "unknown schema URN");
  const extension = urn === undefined || urn === schema.urn ? undefined : urn;
  if (extension !== undefined && rest === "") return { kind: "extension", urn: extension };
  const shape = PATH_SHAPE.exec(rest);
  if (shape === null) throw invalidPath(path, "expected attr, attr.sub or attr[filter].sub");
  const attributes =
    extension === undefined ? schema.attributes : schema.extensions.get(extension.toLowerCase())!.attributes;
  const attribute = attributes.get(shape[1]!.toLowerCase());
  if (attribute === undefined) throw invalidPath(path, `the schema has no attribute "${shape[1]}"`);
  if (attribute.readOnly || attribute.name === "password") {
    throw new ScimError(400, `"${attribute.name}" is read-only and cannot be patched`, "mutability");
  }
  let sub: AttributeInfo | undefined;
  if (shape[3] !== undefined) {
    sub = attribute.subAttributes.get(shape[3].toLowerCase());
    if (sub === undefined) throw invalidPath(path, `"${attribute.name}" has no sub-attribute "${shape[3]}"`);
  }
  let filter: FilterNode | undefined;
  if (shape[2] !== undefined) {
    if (!attribute.multiValued || attribute.type !== "complex") {
      throw invalidPath(path, `"${attribute.name}" is not a multi-valued complex attribute`);
    }
    filter = parseValueFilter({ extension: undefined, attribute, sub: undefined }, shape[2]);
  }
  return { kind: "attribute", extension, attribute, filter, sub };
}

/** Keys of a pathless value that name nothing writable are skipped, as scimmy does for POST bodies. */
function tryParsePatchPath(schema: ResourceSchema, key: string): PatchTarget | undefined {
  try {
    return parsePatchPath(schema, key);
  } catch {
    return undefined;
  }
}

function containerOf(resource: Json, extension: string | undefined): Json {
  if (extension === undefined) return resource;
  const existing = resource[extension];
  if (isObject(existing)) return existing;
  const created: Json = {};
  resource[extension] = created;
  return created;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

function setOrDelete(container: Json, name: string, value: unknown): void {
  if (isEmpty(value) || (isObject(value) && Object.keys(value).length === 0)) delete container[name];
  else container[name] = value;
}

function entriesOf(container: Json, attribute: AttributeInfo): Json[] {
  const value = container[attribute.name];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function sameEntry(removal: Json, entry: Json): boolean {
  return Object.entries(removal).every(([key, value]) => entry[key] === value);
}

function applyWhole(container: Json, attribute: AttributeInfo, op: Op, value: unknown): void {
  const name = attribute.name;
  if (op === "remove") {
    const removals = value === undefined || value === null ? undefined : normaliseValue(attribute, value);
    if (attribute.multiValued && Array.isArray(removals) && attribute.type === "complex") {
      const kept = entriesOf(container, attribute).filter(
        (entry) => !removals.some((removal) => isObject(removal) && sameEntry(removal, entry)),
      );
      setOrDelete(container, name, kept);
    } else {
      delete container[name];
    }
    return;
  }
  const next = normaliseValue(attribute, value);
  if (attribute.multiValued) {
    const existing = Array.isArray(container[name]) ? (container[name] as unknown[]) : [];
    const entries = op === "add" ? [...existing, ...((next as unknown[] | undefined) ?? [])] : (next ?? []);
    setOrDelete(container, name, dedupe(attribute, entries as unknown[]));
  } else if (attribute.type === "complex") {
    if (next === undefined && op === "replace") delete container[name];
    else if (isObject(next))
      setOrDelete(container, name, { ...(isObject(container[name]) ? container[name] : {}), ...next });
  } else if (op === "replace" || next !== undefined) {
    setOrDelete(container, name, next);
  }
}

function applySub(
  container: Json,
  attribute: AttributeInfo,
  sub: AttributeInfo,
  op: Op,
  value: unknown,
): void {
  const next = op === "remove" ? undefined : normaliseValue(sub, value);
  if (op === "add" && next === undefined) return;
  const holders = attribute.multiValued
    ? entriesOf(container, attribute)
    : [isObject(container[attribute.name]) ? (container[attribute.name] as Json) : {}];
  for (const holder of holders) setOrDelete(holder, sub.name, next);
  if (!attribute.multiValued) setOrDelete(container, attribute.name, holders[0]);
}

/** `type eq "work" and primary eq true` → `{type: "work", primary: true}`; undefined if not that shape. */
function entryFromFilter(filter: FilterNode): Json | undefined {
  if (filter.kind === "and") {
    const left = entryFromFilter(filter.left);
    const right = entryFromFilter(filter.right);
    return left === undefined || right === undefined ? undefined : { ...left, ...right };
  }
  if (filter.kind === "compare" && filter.operator === "eq") {
    return { [filter.path.attribute.name]: normaliseValue(filter.path.attribute, filter.value) };
  }
  return undefined;
}

function applyFiltered(
  container: Json,
  attribute: AttributeInfo,
  filter: FilterNode,
  sub: AttributeInfo | undefined,
  op: Op,
  value: unknown,
): void {
  let entries = entriesOf(container, attribute);
  const matched = entries.filter((entry) => matchesFilter(filter, entry));
  if (op === "remove") {
    if (sub === undefined) entries = entries.filter((entry) => !matched.includes(entry));
    else for (const entry of matched) delete entry[sub.name];
  } else {
    const element = { ...attribute, multiValued: false };
    const next = sub === undefined ? normaliseValue(element, value) : normaliseValue(sub, value);
    if (matched.length === 0) {
      const base = entryFromFilter(filter);
      if (base === undefined) {
        throw new ScimError(
          400,
          `No ${attribute.name} entry matches the filter, and it is too complex to create one`,
          "noTarget",
        );
      }
      if (next !== undefined)
        entries.push(sub === undefined ? { ...base, ...(next as Json) } : { ...base, [sub.name]: next });
    }
    for (const entry of matched) {
      if (sub !== undefined) setOrDelete(entry, sub.name, next);
      else if (isObject(next)) {
        if (op === "replace") for (const key of Object.keys(entry)) delete entry[key];
        Object.assign(entry, next);
      }
    }
  }
  setOrDelete(container, attribute.name, dedupe(attribute, entries));
}

function applyAt(schema: ResourceSchema, resource: Json, target: PatchTarget, op: Op, value: unknown): void {
  if (target.kind === "extension") {
    if (op === "remove") {
      delete resource[target.urn];
      return;
    }
    if (!isObject(value))
      throw new ScimError(400, `The value for "${target.urn}" must be an object`, "invalidValue");
    for (const [key, inner] of Object.entries(value)) {
      const innerTarget = tryParsePatchPath(schema, `${target.urn}:${key}`);
      if (innerTarget !== undefined) applyAt(schema, resource, innerTarget, op, inner);
    }
    return;
  }
  const container = containerOf(resource, target.extension);
  if (target.filter !== undefined)
    applyFiltered(container, target.attribute, target.filter, target.sub, op, value);
  else if (target.sub !== undefined) applySub(container, target.attribute, target.sub, op, value);
  else applyWhole(container, target.attribute, op, value);
}

/** Returns the patched copy; `resource` itself is left as it was. */
export function applyPatch(
  schema: ResourceSchema,
  resource: Json,
  operations: readonly PatchOperation[],
): Json {
  const next = structuredClone(resource);
  for (const { op, path, value } of operations) {
    if (path !== undefined) {
      applyAt(schema, next, parsePatchPath(schema, path), op, value);
      continue;
    }
    for (const [key, inner] of Object.entries(value as Json)) {
      const target = tryParsePatchPath(schema, key);
      if (target !== undefined) applyAt(schema, next, target, op, inner);
    }
  }
  return next;
}
