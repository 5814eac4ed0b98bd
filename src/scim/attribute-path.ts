/**
 * Resolves attribute names as clients write them (`userName`, `NAME.givenName`,
 * `urn:…:enterprise:2.0:User:manager.value`) to the schema's attributes, case-insensitively.
 */
import { ENTERPRISE_SCHEMA, type AttributeInfo, type ResourceSchema } from "./schemas.js";

export interface ResolvedPath {
  /** The extension URN holding the attribute, undefined for core attributes. */
  readonly extension: string | undefined;
  readonly attribute: AttributeInfo;
  readonly sub: AttributeInfo | undefined;
}

/** Entra's documented example writes the enterprise URN without its last colon. */
const MISSPELLED_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0user";

/** The canonical URN for a schema URN as a client spelled it, or undefined when it is not ours. */
function canonicalSchemaUrn(schema: ResourceSchema, urn: string): string | undefined {
  const lower = urn.toLowerCase();
  if (lower === schema.urn.toLowerCase()) return schema.urn;
  if (lower === MISSPELLED_ENTERPRISE && schema.extensions.has(ENTERPRISE_SCHEMA.toLowerCase())) {
    return ENTERPRISE_SCHEMA;
  }
  return schema.extensions.get(lower)?.urn;
}

/** Splits `urn:…:Schema:attr.sub` into the schema URN (if any) and the attribute part. */
export function splitUrn(schema: ResourceSchema, path: string): { urn: string | undefined; rest: string } {
  if (!path.toLowerCase().startsWith("urn:")) return { urn: undefined, rest: path };
  const candidates = [
    schema.urn,
    ...[...schema.extensions.values()].map((e) => e.urn),
    MISSPELLED_ENTERPRISE,
  ];
  const lower = path.toLowerCase();
  for (const candidate of candidates) {
    const prefix = candidate.toLowerCase();
    if (lower === prefix) return { urn: canonicalSchemaUrn(schema, candidate), rest: "" };
    if (lower.startsWith(`${prefix}:`)) {
      return { urn: canonicalSchemaUrn(schema, candidate), rest: path.slice(prefix.length + 1) };
    }
  }
  return { urn: undefined, rest: path };
}

export function resolveAttributePath(schema: ResourceSchema, path: string): ResolvedPath | undefined {
  const { urn, rest } = splitUrn(schema, path);
  if (path.toLowerCase().startsWith("urn:") && urn === undefined) return undefined;
  const extension = urn === undefined || urn === schema.urn ? undefined : urn;
  const attributes =
    extension === undefined ? schema.attributes : schema.extensions.get(extension.toLowerCase())?.attributes;
  const parts = rest.split(".");
  if (attributes === undefined || parts.length > 2 || parts[0] === "") return undefined;
  const attribute = attributes.get(parts[0]!.toLowerCase());
  if (attribute === undefined) return undefined;
  if (parts.length === 1) return { extension, attribute, sub: undefined };
  const sub = attribute.subAttributes.get(parts[1]!.toLowerCase());
  return sub === undefined ? undefined : { extension, attribute, sub };
}

/** Resolves a sub-attribute name inside a `attr[…]` value filter. */
export function resolveSubPath(outer: ResolvedPath, name: string): ResolvedPath | undefined {
  const sub = outer.attribute.subAttributes.get(name.toLowerCase());
  return sub === undefined ? undefined : { extension: undefined, attribute: sub, sub: undefined };
}
