/**
 * ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 §4). Schema documents come from scimmy's
 * definitions; the Schema meta-schema, which scimmy lacks (defect 13), is declared here with its types.
 */
import SCIMMY from "scimmy";
import { ScimError } from "./errors.js";
import { MAX_RESULTS } from "./list-query.js";
import type { Json } from "./normalise.js";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, groupSchema, userSchema } from "./schemas.js";

const { Attribute, SchemaDefinition } = SCIMMY.Types;

export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

function attributeDefinitionAttributes(withSubAttributes: boolean): SCIMMY.Types.Attribute[] {
  const readOnly = { mutable: false } as const;
  return [
    new Attribute("string", "name", { ...readOnly, required: true, caseExact: true }),
    new Attribute("string", "type", {
      ...readOnly,
      required: true,
      canonicalValues: [
        "string",
        "complex",
        "boolean",
        "decimal",
        "integer",
        "dateTime",
        "reference",
        "binary",
      ],
    }),
    new Attribute("boolean", "multiValued", { ...readOnly, required: true }),
    new Attribute("string", "description", readOnly),
    new Attribute("boolean", "required", readOnly),
    new Attribute("string", "canonicalValues", { ...readOnly, multiValued: true, caseExact: true }),
    new Attribute("boolean", "caseExact", readOnly),
    new Attribute("string", "mutability", {
      ...readOnly,
      canonicalValues: ["readOnly", "readWrite", "immutable", "writeOnly"],
    }),
    new Attribute("string", "returned", {
      ...readOnly,
      canonicalValues: ["always", "never", "default", "request"],
    }),
    new Attribute("string", "uniqueness", { ...readOnly, canonicalValues: ["none", "server", "global"] }),
    new Attribute("string", "referenceTypes", { ...readOnly, multiValued: true, caseExact: true }),
    ...(withSubAttributes
      ? [
          new Attribute(
            "complex",
            "subAttributes",
            { ...readOnly, multiValued: true },
            attributeDefinitionAttributes(false),
          ),
        ]
      : []),
  ];
}

const schemaMetaSchema = new SchemaDefinition(
  "Schema",
  "urn:ietf:params:scim:schemas:core:2.0:Schema",
  "Specifies the schema attributes of a SCIM resource",
  [
    new Attribute("string", "name", { mutable: false, caseExact: true }),
    new Attribute("string", "description", { mutable: false }),
    new Attribute(
      "complex",
      "attributes",
      { mutable: false, multiValued: true, required: true },
      attributeDefinitionAttributes(true),
    ),
  ],
);

const definitions = [
  userSchema.definition,
  SCIMMY.Schemas.EnterpriseUser.definition,
  groupSchema.definition,
  schemaMetaSchema,
  SCIMMY.Schemas.ResourceType.definition,
  SCIMMY.Schemas.ServiceProviderConfig.definition,
];

/** Plain JSON of every schema, with `{root}` standing in for the base URL until a request supplies it. */
const schemaDocuments: readonly Json[] = definitions.map(
  (definition) => JSON.parse(JSON.stringify(definition.describe("{root}/Schemas"))) as Json,
);

function withRoot(document: Json, root: string): Json {
  return JSON.parse(JSON.stringify(document).replaceAll("{root}", root)) as Json;
}

function listOf(resources: readonly Json[]): Json {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

export function serviceProviderConfig(root: string): Json {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "Authentication with a long-lived bearer token in the Authorization header",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${root}/ServiceProviderConfig` },
  };
}

function resourceTypes(root: string): Json[] {
  const describe = (id: string, endpoint: string, schema: string, extensions: string[]): Json => ({
    schemas: [RESOURCE_TYPE_SCHEMA],
    id,
    name: id,
    endpoint,
    description: id,
    schema,
    schemaExtensions: extensions.map((urn) => ({ schema: urn, required: false })),
    meta: { resourceType: "ResourceType", location: `${root}/ResourceTypes/${id}` },
  });
  return [
    describe("User", "/Users", USER_SCHEMA, [ENTERPRISE_SCHEMA]),
    describe("Group", "/Groups", GROUP_SCHEMA, []),
  ];
}

export function listResourceTypes(root: string): Json {
  return listOf(resourceTypes(root));
}

export function getResourceType(root: string, id: string): Json {
  const found = resourceTypes(root).find((type) => String(type.id).toLowerCase() === id.toLowerCase());
  if (found === undefined)
    throw new ScimError(404, `Resource type "${id}" not found; GET /ResourceTypes lists them`);
  return found;
}

export function listSchemas(root: string): Json {
  return listOf(schemaDocuments.map((document) => withRoot(document, root)));
}

export function getSchema(root: string, id: string): Json {
  const found = schemaDocuments.find((document) => String(document.id).toLowerCase() === id.toLowerCase());
  if (found === undefined) throw new ScimError(404, `Schema "${id}" not found; GET /Schemas lists them`);
  return withRoot(found, root);
}
