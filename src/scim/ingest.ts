/**
 * Turns a normalised body into the resource the ledger stores: validated by scimmy's schema coercion
 * (types, required attributes, canonical values), stamped with id, schemas and meta.
 */
import SCIMMY from "scimmy";
import type { ScimResource } from "../ledger/ledger.js";
import { sameJson } from "../ledger/resource-delta.js";
import { ScimError, invalidValue } from "./errors.js";
import { isObject, type Json } from "./normalise.js";
import type { ResourceSchema } from "./schemas.js";

function validate(schema: ResourceSchema, resource: Json, previous: ScimResource | undefined): void {
  try {
    schema.definition.coerce(withNewMembersOnly(resource, previous), "in");
  } catch (error) {
    if (error instanceof SCIMMY.Types.Error || error instanceof TypeError) {
      throw new ScimError(400, `${error.message}; fix the request body and send it again`, "invalidValue", {
        cause: error,
      });
    }
    throw error;
  }
  const name = schema.type === "User" ? resource.userName : resource.displayName;
  const nameAttribute = schema.type === "User" ? "userName" : "displayName";
  if (typeof name !== "string" || name.trim() === "") {
    throw invalidValue(`Required attribute '${nameAttribute}' is missing or empty`);
  }
}

/**
 * scimmy's coercion costs ~35 µs per member entry (it builds getters and setters for each), so checking a
 * 10k-member group on every membership PATCH took about half a second. Entries are checked one by one,
 * independently, so an entry the stored version already held unchanged (it passed this check when stored)
 * need not be checked again: only new or changed entries are.
 */
function withNewMembersOnly(resource: Json, previous: ScimResource | undefined): Json {
  const members = resource.members;
  if (!Array.isArray(members) || previous === undefined || !Array.isArray(previous.members)) return resource;
  const stored = new Map<unknown, unknown>();
  for (const entry of previous.members as unknown[]) if (isObject(entry)) stored.set(entry.value, entry);
  const unchecked = (members as unknown[]).filter(
    (entry) => !isObject(entry) || !sameJson(stored.get(entry.value), entry),
  );
  return unchecked.length === members.length ? resource : { ...resource, members: unchecked };
}

/** Drops empty extension objects so `schemas` lists only extensions that hold something. */
function schemasOf(schema: ResourceSchema, resource: Json): string[] {
  const schemas = [schema.urn];
  for (const { urn } of schema.extensions.values()) {
    const value = resource[urn];
    if (isObject(value) && Object.keys(value).length > 0) schemas.push(urn);
    else delete resource[urn];
  }
  return schemas;
}

export function buildStored(
  schema: ResourceSchema,
  attributes: Json,
  id: string,
  previous: ScimResource | undefined,
  now: string,
): ScimResource {
  const body: Json = { ...attributes };
  delete body.schemas;
  delete body.id;
  delete body.meta;
  if (schema.type === "Group" && !Array.isArray(body.members)) body.members = [];
  const schemas = schemasOf(schema, body);
  validate(schema, { schemas, ...body }, previous);
  return {
    schemas,
    id,
    ...body,
    meta: { resourceType: schema.type, ...createdOf(previous, now), lastModified: now },
  };
}

/**
 * A new resource is created now; an existing one keeps its creation time, and a resource whose creation
 * time is unknown (seeded from an identity file that does not record it) keeps it unknown rather than
 * taking the time of its first write.
 */
function createdOf(previous: ScimResource | undefined, now: string): { created?: string } {
  if (previous === undefined) return { created: now };
  const meta = isObject(previous.meta) ? previous.meta : undefined;
  return typeof meta?.created === "string" ? { created: meta.created } : {};
}

/** True when two stored resources differ in anything but `meta` (as JSON text would). */
export function differs(a: ScimResource, b: ScimResource): boolean {
  return !sameJson({ ...a, meta: undefined }, { ...b, meta: undefined });
}
