/**
 * Brings request bodies as IdPs really send them into the canonical form scimmy validates and the ledger
 * stores: canonical attribute names, `"False"` → false (defect 4), `null` → absent (defect 8), a bare
 * `manager` id → `{value}` (defect 9), canonical values in their declared case (defect 10), Entra's
 * misspelled enterprise URN and foreign schemas (ADSCIM) tolerated, read-only attributes and `password`
 * dropped (a password is never stored).
 */
import { splitUrn } from "./attribute-path.js";
import type { AttributeInfo, ResourceSchema } from "./schemas.js";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normaliseScalar(info: AttributeInfo, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (info.type === "boolean" && typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
    return value.trim().toLowerCase() === "true";
  }
  if (info.canonicalValues !== undefined && typeof value === "string") {
    const lower = value.toLowerCase();
    return info.canonicalValues.find((canonical) => canonical.toLowerCase() === lower) ?? value;
  }
  return value;
}

function normaliseComplex(info: AttributeInfo, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  const valueSub = info.subAttributes.get("value");
  if (!isObject(value)) return valueSub !== undefined && typeof value !== "object" ? { value } : value;
  const result: Json = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = info.subAttributes.get(key.toLowerCase());
    if (sub === undefined) continue;
    const next = normaliseScalar(sub, raw);
    if (next !== undefined) result[sub.name] = next;
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function entryKey(info: AttributeInfo, entry: unknown): string {
  if (info.name === "members" && isObject(entry)) return `value:${String(entry.value)}`;
  return JSON.stringify(entry);
}

/** Multi-valued values without repeats, in first-seen order; a repeated member adds its `display`. */
export function dedupe(info: AttributeInfo, entries: readonly unknown[]): unknown[] {
  const byKey = new Map<string, unknown>();
  for (const entry of entries) {
    const key = entryKey(info, entry);
    const seen = byKey.get(key);
    byKey.set(key, isObject(seen) && isObject(entry) ? { ...seen, ...entry } : entry);
  }
  return [...byKey.values()];
}

/** One attribute's value in canonical form; undefined means "absent". */
export function normaliseValue(info: AttributeInfo, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (info.multiValued) {
    const list = (Array.isArray(value) ? value : [value])
      .map((entry) =>
        info.type === "complex" ? normaliseComplex(info, entry) : normaliseScalar(info, entry),
      )
      .filter((entry) => entry !== undefined);
    return dedupe(info, list);
  }
  return info.type === "complex" ? normaliseComplex(info, value) : normaliseScalar(info, value);
}

function assignAttributes(target: Json, attributes: ReadonlyMap<string, AttributeInfo>, source: Json): void {
  for (const [key, raw] of Object.entries(source)) {
    const parts = key.split(".");
    const info = attributes.get(parts[0]!.toLowerCase());
    if (info === undefined || info.readOnly || info.name === "password") continue;
    if (parts.length === 2 && info.type === "complex" && !info.multiValued) {
      const sub = info.subAttributes.get(parts[1]!.toLowerCase());
      const next = sub === undefined ? undefined : normaliseScalar(sub, raw);
      if (sub !== undefined && next !== undefined) {
        const existing = target[info.name];
        target[info.name] = { ...(isObject(existing) ? existing : {}), [sub.name]: next };
      }
      continue;
    }
    if (parts.length !== 1) continue;
    const next = normaliseValue(info, raw);
    if (next !== undefined) target[info.name] = next;
  }
}

/**
 * The writable attributes of a POST/PUT body in canonical form, with `schemas` listing only our URNs.
 * `id`, `meta`, `groups` and `password` never pass.
 */
export function normaliseResource(schema: ResourceSchema, body: Json): Json {
  const core: Json = {};
  const extensions = new Map<string, Json>();
  const extensionFor = (urn: string): Json => {
    let found = extensions.get(urn);
    if (found === undefined) extensions.set(urn, (found = {}));
    return found;
  };
  const plain: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (!key.toLowerCase().startsWith("urn:")) {
      plain[key] = value;
      continue;
    }
    const { urn, rest } = splitUrn(schema, key);
    if (urn === undefined) continue;
    if (urn === schema.urn) {
      if (rest === "" && isObject(value)) Object.assign(plain, value);
      else if (rest !== "") plain[rest] = value;
      continue;
    }
    const attributes = schema.extensions.get(urn.toLowerCase())!.attributes;
    if (rest === "" && isObject(value)) assignAttributes(extensionFor(urn), attributes, value);
    else if (rest !== "") assignAttributes(extensionFor(urn), attributes, { [rest]: value });
  }
  assignAttributes(core, schema.attributes, plain);
  const schemas = [schema.urn];
  for (const [urn, values] of extensions) {
    if (Object.keys(values).length === 0) continue;
    core[urn] = values;
    schemas.push(urn);
  }
  return { schemas, ...core };
}

/** A scalar as text for comparisons and messages; objects as JSON rather than "[object Object]". */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value) ?? "";
}
