/**
 * Turns a normalised body into the resource the ledger stores: validated by scimmy's schema coercion
 * (types, required attributes, canonical values), stamped with id, schemas and meta.
 */
import SCIMMY from "scimmy";
import type { ScimResource } from "../ledger/ledger.js";
import { ScimError, invalidValue } from "./errors.js";
import { isObject, type Json } from "./normalise.js";
import type { ResourceSchema } from "./schemas.js";

function validate(schema: ResourceSchema, resource: Json): void {
  try {
    schema.definition.coerce(resource, "in");
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
  validate(schema, { schemas, ...body });
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

/** True when two stored resources differ in anything but `meta`. */
export function differs(a: ScimResource, b: ScimResource): boolean {
  const strip = (resource: ScimResource): string => JSON.stringify({ ...resource, meta: undefined });
  return strip(a) !== strip(b);
}
