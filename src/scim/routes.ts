/** Maps method + path under the base path to the SCIM operation, and shapes each answer. */
import type { IncomingMessage } from "node:http";
import {
  getResourceType,
  getSchema,
  LIST_RESPONSE_SCHEMA,
  listResourceTypes,
  listSchemas,
  serviceProviderConfig,
} from "./discovery.js";
import { MethodNotAllowedError, ScimError, notFound } from "./errors.js";
import { readJsonBody } from "./http-io.js";
import { listResources, readListQuery } from "./list-query.js";
import { isObject } from "./normalise.js";
import { parsePatchRequest } from "./patch-request.js";
import { parseProjection, splitList, type Projection } from "./projection.js";
import { locationOf, renderResource, type RenderContext } from "./render.js";
import {
  createResource,
  deleteResource,
  patchResource,
  replaceResource,
  type OperationContext,
} from "./resource-operations.js";
import { groupSchema, userSchema, type ResourceSchema } from "./schemas.js";

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  readonly segments: readonly string[];
  readonly render: RenderContext;
  readonly operations: OperationContext;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

function only(context: RouteContext, allowed: readonly string[]): void {
  if (!allowed.includes(context.method)) throw new MethodNotAllowedError(context.method, allowed);
}

function projectionFrom(schema: ResourceSchema, source: Record<string, unknown>): Projection | undefined {
  const attributes = splitList(source.attributes);
  const excluded = splitList(source.excludedAttributes);
  if (attributes === undefined && excluded === undefined) return undefined;
  return parseProjection(schema, attributes, excluded);
}

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return query;
}

function list(context: RouteContext, schema: ResourceSchema, source: Record<string, unknown>): Answer {
  const page = listResources(
    context.operations.ledger,
    context.operations.lookups,
    schema,
    readListQuery(source),
  );
  const projection = projectionFrom(schema, source);
  const resources = page.resources.map((resource) =>
    renderResource(context.render, schema, resource, projection),
  );
  return {
    status: 200,
    body: {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: page.totalResults,
      startIndex: page.startIndex,
      itemsPerPage: resources.length,
      Resources: resources,
    },
  };
}

async function collection(context: RouteContext, schema: ResourceSchema): Promise<Answer> {
  only(context, ["GET", "POST"]);
  if (context.method === "GET") return list(context, schema, queryOf(context.url));
  const created = await createResource(context.operations, schema, await readJsonBody(context.req));
  const projection = projectionFrom(schema, queryOf(context.url));
  return {
    status: 201,
    body: renderResource(context.render, schema, created, projection),
    headers: { Location: locationOf(context.render, schema, created.id) },
  };
}

async function search(context: RouteContext, schema: ResourceSchema): Promise<Answer> {
  only(context, ["POST"]);
  const body = await readJsonBody(context.req);
  if (!isObject(body))
    throw new ScimError(400, "A search body must be a SearchRequest object", "invalidSyntax");
  if (Array.isArray(body.schemas) && !body.schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw new ScimError(
      400,
      `A search body must list the schema "${SEARCH_REQUEST_SCHEMA}"`,
      "invalidSyntax",
    );
  }
  return list(context, schema, body);
}

async function member(context: RouteContext, schema: ResourceSchema, id: string): Promise<Answer> {
  only(context, ["GET", "PUT", "PATCH", "DELETE"]);
  const query = queryOf(context.url);
  const projection = projectionFrom(schema, query);
  const { operations, render } = context;
  switch (context.method) {
    case "GET": {
      const found = operations.ledger.get(schema.type, id);
      if (found === undefined) throw notFound(schema.type, id);
      return { status: 200, body: renderResource(render, schema, found, projection) };
    }
    case "PUT": {
      const replaced = await replaceResource(operations, schema, id, await readJsonBody(context.req));
      return { status: 200, body: renderResource(render, schema, replaced, projection) };
    }
    case "PATCH": {
      const patch = parsePatchRequest(await readJsonBody(context.req));
      const patched = await patchResource(operations, schema, id, patch);
      // Entra wants 204 for group PATCH: echoing every member "isn't advisable" for large groups.
      if (schema.type === "Group" && projection === undefined) return { status: 204 };
      return { status: 200, body: renderResource(render, schema, patched, projection) };
    }
    default:
      await deleteResource(operations, schema, id);
      return { status: 204 };
  }
}

function discovery(context: RouteContext, name: string, id: string | undefined): Answer {
  only(context, ["GET"]);
  const root = context.render.root;
  if (name === "serviceproviderconfig" && id === undefined)
    return { status: 200, body: serviceProviderConfig(root) };
  if (name === "resourcetypes")
    return { status: 200, body: id === undefined ? listResourceTypes(root) : getResourceType(root, id) };
  if (name === "schemas")
    return { status: 200, body: id === undefined ? listSchemas(root) : getSchema(root, id) };
  throw new ScimError(404, `No SCIM endpoint at ${context.url.pathname}`);
}

const RESOURCE_ENDPOINTS: Readonly<Record<string, ResourceSchema>> = {
  users: userSchema,
  groups: groupSchema,
};
const DISCOVERY_ENDPOINTS = new Set(["serviceproviderconfig", "resourcetypes", "schemas"]);

export async function routeRequest(context: RouteContext): Promise<Answer> {
  const [first, second, ...rest] = context.segments;
  const name = first?.toLowerCase() ?? "";
  const schema = RESOURCE_ENDPOINTS[name];
  if (schema !== undefined && rest.length === 0) {
    if (second === undefined) return collection(context, schema);
    if (second === ".search") return search(context, schema);
    return member(context, schema, second);
  }
  if (DISCOVERY_ENDPOINTS.has(name) && rest.length === 0) return discovery(context, name, second);
  if (name === "bulk" || name === "me") {
    throw new ScimError(
      501,
      `/${first} is not supported by this service provider (ServiceProviderConfig says so)`,
    );
  }
  throw new ScimError(
    404,
    `No SCIM endpoint at ${context.url.pathname}; use /Users, /Groups or the discovery endpoints`,
  );
}
