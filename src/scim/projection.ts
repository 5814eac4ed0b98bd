/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.9) on plain JSON, including extension URNs (scimmy
 * crashes on those, defect 12). `schemas` and `id` are always kept (scimmy drops `schemas`, defect 15).
 */
import { resolveAttributePath, splitUrn } from "./attribute-path.js";
import { isObject, type Json } from "./normalise.js";
import type { ResourceSchema } from "./schemas.js";

/** container ("" for core, else the extension URN) → attribute name → sub-attribute names, or all. */
type Selection = Map<string, Map<string, Set<string> | "all">>;

export interface Projection {
  readonly include: Selection | undefined;
  readonly exclude: Selection | undefined;
}

function parseSelection(schema: ResourceSchema, list: readonly string[]): Selection {
  const selection: Selection = new Map();
  const add = (container: string, name: string, sub: string | undefined): void => {
    let attributes = selection.get(container);
    if (attributes === undefined)
      selection.set(container, (attributes = new Map<string, Set<string> | "all">()));
    const current = attributes.get(name);
    if (sub === undefined || current === "all") attributes.set(name, "all");
    else attributes.set(name, new Set([...(current ?? []), sub]));
  };
  for (const raw of list) {
    const text = raw.trim();
    if (text === "") continue;
    const { urn, rest } = splitUrn(schema, text);
    if (urn !== undefined && urn !== schema.urn && rest === "") {
      add(urn, "*", undefined);
      continue;
    }
    const path = resolveAttributePath(schema, text);
    if (path !== undefined) add(path.extension ?? "", path.attribute.name, path.sub?.name);
  }
  return selection;
}

export function parseProjection(
  schema: ResourceSchema,
  attributes: readonly string[] | undefined,
  excluded: readonly string[] | undefined,
): Projection {
  return {
    include:
      attributes === undefined || attributes.length === 0 ? undefined : parseSelection(schema, attributes),
    exclude: excluded === undefined || excluded.length === 0 ? undefined : parseSelection(schema, excluded),
  };
}

function pickSubs(value: unknown, subs: ReadonlySet<string>, keep: boolean): unknown {
  const one = (entry: unknown): unknown =>
    isObject(entry)
      ? Object.fromEntries(Object.entries(entry).filter(([key]) => subs.has(key) === keep))
      : entry;
  return Array.isArray(value) ? value.map(one) : one(value);
}

function include(resource: Json, selection: Selection): Json {
  const out: Json = { schemas: resource.schemas, id: resource.id };
  for (const [container, attributes] of selection) {
    const source = container === "" ? resource : resource[container];
    if (!isObject(source)) continue;
    const target: Json = container === "" ? out : {};
    for (const [name, subs] of attributes) {
      if (name === "*") Object.assign(target, source);
      else if (source[name] !== undefined)
        target[name] = subs === "all" ? source[name] : pickSubs(source[name], subs, true);
    }
    if (container !== "" && Object.keys(target).length > 0) out[container] = target;
  }
  return out;
}

function exclude(resource: Json, selection: Selection): Json {
  const out: Json = { ...resource };
  for (const [container, attributes] of selection) {
    if (attributes.has("*")) {
      delete out[container];
      continue;
    }
    const source = container === "" ? out : out[container];
    if (!isObject(source)) continue;
    const target: Json = container === "" ? out : { ...source };
    for (const [name, subs] of attributes) {
      if (name === "id" || name === "schemas") continue;
      if (subs === "all") delete target[name];
      else if (target[name] !== undefined) target[name] = pickSubs(target[name], subs, false);
    }
    if (container !== "") out[container] = target;
  }
  return out;
}

/** Whether a core attribute survives the projection, so a caller can skip computing one that does not. */
export function keepsAttribute(projection: Projection | undefined, name: string): boolean {
  if (projection === undefined) return true;
  const included = projection.include?.get("");
  if (projection.include !== undefined && included?.has(name) !== true && included?.has("*") !== true)
    return false;
  return projection.exclude?.get("")?.get(name) !== "all";
}

export function project(resource: Json, projection: Projection): Json {
  let result = resource;
  if (projection.include !== undefined) result = include(result, projection.include);
  if (projection.exclude !== undefined) result = exclude(result, projection.exclude);
  return result;
}

export function splitList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  if (typeof value !== "string") return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
