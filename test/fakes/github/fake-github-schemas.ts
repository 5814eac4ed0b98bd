import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FakeGitHubOperation } from "./fake-github-operations.js";

/** Ajv's CommonJS plugin, whose default export TypeScript's NodeNext view does not see as callable. */
const addFormats = createRequire(import.meta.url)("ajv-formats") as (ajv: Ajv) => Ajv;

interface ExtractedSchemas {
  readonly operations: Record<string, Record<string, object | null>>;
  readonly components: { readonly schemas: Record<string, object> };
  readonly examples: Record<string, unknown>;
  readonly graphql: {
    readonly mutations: Record<string, { readonly args: Record<string, string>; readonly type: string }>;
    readonly types: Record<
      string,
      { readonly kind: string; readonly fields?: Record<string, string>; readonly values?: string[] }
    >;
  };
}

/** The committed extract of @octokit/openapi and @octokit/graphql-schema (scripts/extract-github-schemas.ts). */
export const GITHUB_SCHEMAS = JSON.parse(
  readFileSync(new URL("./github-api-schemas.json", import.meta.url), "utf8"),
) as ExtractedSchemas;

/** GitHub's own example answer of an operation, copied so a fake can fill in its state. */
export function exampleOf(operation: FakeGitHubOperation): unknown {
  return structuredClone(GITHUB_SCHEMAS.examples[operation]);
}

const ROOT = "https://fake-github.invalid/schemas";
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
ajv.addSchema({ $id: ROOT, components: rooted(GITHUB_SCHEMAS.components) });

/**
 * Points `$ref`s at the shared components and spells OpenAPI 3.0's `nullable` on a typeless schema (a
 * `$ref` or `allOf`) as JSON Schema's `anyOf … null`, which Ajv needs.
 */
function rooted(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rooted);
  if (schema === null || typeof schema !== "object") return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const copy = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string" ? `${ROOT}${value}` : rooted(value),
    ]),
  );
  if (nullable !== true) return copy;
  // OpenAPI 3.0 lets `nullable` admit null past an `enum`; JSON Schema needs null in the list.
  if (Array.isArray(copy["enum"])) copy["enum"] = [...(copy["enum"] as unknown[]), null];
  return "type" in copy ? { ...copy, nullable: true } : { anyOf: [copy, { type: "null" }] };
}

const BASIC_ERROR = { $ref: "#/components/schemas/basic-error" };
const compiled = new Map<string, ValidateFunction | null>();

/**
 * What is wrong with an answer the fake is about to send, judged by GitHub's published schema, or
 * undefined when it conforms. A status the spec does not list for the operation is itself a mismatch.
 */
export function responseMismatch(
  operation: FakeGitHubOperation,
  status: number,
  body: unknown,
): string | undefined {
  const responses = GITHUB_SCHEMAS.operations[operation] ?? {};
  // The spec leaves out many error statuses (a check run's 422); those must still be GitHub's error shape.
  const listed = String(status) in responses;
  if (!listed && status < 400) return `${operation} does not answer ${status} in GitHub's spec`;
  const key = `${operation} ${status}`;
  if (!compiled.has(key)) {
    // GitHub sends its error shape even where the spec describes an error status without a body.
    const schema = (listed ? responses[String(status)] : null) ?? (status >= 400 ? BASIC_ERROR : null);
    compiled.set(key, schema === null || schema === undefined ? null : ajv.compile(rooted(schema) as object));
  }
  const validate = compiled.get(key);
  if (validate === null || validate === undefined) {
    return body === undefined || Buffer.isBuffer(body) ? undefined : `${key} has no body in GitHub's spec`;
  }
  if (validate(body)) return undefined;
  return `${key}: ${ajv.errorsText(validate.errors, { separator: "; " })}`;
}

const SCALARS: Record<string, (value: unknown) => boolean> = {
  Int: (value) => Number.isInteger(value),
  Boolean: (value) => typeof value === "boolean",
  String: (value) => typeof value === "string",
  ID: (value) => typeof value === "string",
  GitObjectID: (value) => typeof value === "string" && /^[0-9a-f]{40}$/.test(value),
  DateTime: (value) => typeof value === "string" && !Number.isNaN(Date.parse(value)),
  URI: (value) => typeof value === "string",
};

/** Every way `value` departs from GraphQL type `written` (`Int!`, `[Label]`, `PullRequest`) in GitHub's schema. */
function graphqlTypeErrors(written: string, value: unknown, path: string): string[] {
  if (written.endsWith("!")) {
    if (value === null || value === undefined) return [`${path} is ${written} but null`];
    written = written.slice(0, -1);
  }
  if (value === null || value === undefined) return [];
  if (written.startsWith("[")) {
    if (!Array.isArray(value)) return [`${path} is ${written} but not a list`];
    return value.flatMap((item, index) => graphqlTypeErrors(written.slice(1, -1), item, `${path}[${index}]`));
  }
  const type = GITHUB_SCHEMAS.graphql.types[written];
  if (type === undefined) return [`${path}: ${written} is not in the extract`];
  if (type.kind === "SCALAR") {
    const check = SCALARS[written];
    if (check === undefined) return [`${path}: no check for scalar ${written}`];
    return check(value) ? [] : [`${path} is not a valid ${written}: ${JSON.stringify(value)}`];
  }
  if (type.kind === "ENUM") {
    return type.values?.includes(value as string) === true
      ? []
      : [`${path}: ${JSON.stringify(value)} is not a ${written}`];
  }
  if (type.fields === undefined) return [`${path}: ${written} fields are not in the extract`];
  if (typeof value !== "object") return [`${path} is ${written} but not an object`];
  return Object.entries(value).flatMap(([field, inner]) => {
    const fieldType = type.fields?.[field];
    return fieldType === undefined
      ? [`${path}.${field} is not a field of ${written}`]
      : graphqlTypeErrors(fieldType, inner, `${path}.${field}`);
  });
}

/** What is wrong with a mutation's answer, judged by GitHub's GraphQL schema; undefined when it conforms. */
export function graphqlMismatch(mutation: string, data: unknown): string | undefined {
  const described = GITHUB_SCHEMAS.graphql.mutations[mutation];
  if (described === undefined) return `${mutation} is not in the extract`;
  const errors = graphqlTypeErrors(described.type, data, mutation);
  return errors.length === 0 ? undefined : errors.join("; ");
}

/** The input fields GitHub's schema gives a mutation's `input` argument, with their written types. */
export function graphqlInputFields(mutation: string): Record<string, string> {
  const input = GITHUB_SCHEMAS.graphql.mutations[mutation]?.args["input"]?.replace(/!$/, "") ?? "";
  return GITHUB_SCHEMAS.graphql.types[input]?.fields ?? {};
}

export function graphqlEnumValues(name: string): readonly string[] {
  return GITHUB_SCHEMAS.graphql.types[name]?.values ?? [];
}
