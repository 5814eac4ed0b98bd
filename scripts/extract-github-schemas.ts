/**
 * Writes `test/fakes/github/github-api-schemas.json`: the response schemas (and GitHub's own examples) of
 * exactly the REST operations the GitHub fake serves, cut from `@octokit/openapi`, plus the GraphQL types
 * its two auto-merge mutations touch, cut from `@octokit/graphql-schema`. The packages are hundreds of
 * megabytes, so they are installed only to run this (both MIT):
 *
 *   npm install --no-save @octokit/openapi@23.0.2 @octokit/graphql-schema@15.26.1
 *   npx tsx scripts/extract-github-schemas.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FAKE_GITHUB_OPERATIONS } from "../test/fakes/github/fake-github-operations.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** A file inside an installed package (neither package exports its JSON files). */
const packageFile = (name: string, file: string) => join(root, "node_modules", name, file);
const spec = JSON.parse(
  readFileSync(packageFile("@octokit/openapi", "generated/api.github.com.json"), "utf8"),
) as JsonObject;
const components = spec["components"] as JsonObject;

/** `#/components/<kind>/<name>` → the object it names. */
function lookup(ref: string): JsonObject {
  const [, , kind = "", name = ""] = ref.split("/");
  return (components[kind] as JsonObject)[name] as JsonObject;
}

const schemas: JsonObject = {};
/** Copies every component schema `value` reaches into `schemas`, keeping the `$ref`s. */
function collect(value: Json): void {
  if (Array.isArray(value)) return value.forEach(collect);
  if (value === null || typeof value !== "object") return;
  const ref = value["$ref"];
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    const name = ref.slice("#/components/schemas/".length);
    if (name in schemas) return;
    schemas[name] = lookup(ref);
    collect(schemas[name]);
    return;
  }
  Object.values(value).forEach(collect);
}

const operations: JsonObject = {};
const examples: JsonObject = {};
for (const operation of FAKE_GITHUB_OPERATIONS) {
  const [method = "", path = ""] = operation.split(" ");
  const pathItem = (spec["paths"] as JsonObject)[path] as JsonObject | undefined;
  const described = pathItem?.[method.toLowerCase()] as JsonObject | undefined;
  if (described === undefined) throw new Error(`${operation} is not in @octokit/openapi`);
  const responses: JsonObject = {};
  for (const [status, raw] of Object.entries(described["responses"] as JsonObject)) {
    const response =
      typeof (raw as JsonObject)["$ref"] === "string"
        ? lookup((raw as JsonObject)["$ref"] as string)
        : (raw as JsonObject);
    const content = (response["content"] as JsonObject | undefined)?.["application/json"] as
      JsonObject | undefined;
    // A status without a JSON body (204, 302, 304) is recorded as such: the fake must send none.
    responses[status] = content?.["schema"] ?? null;
    collect(responses[status]);
    const example = Object.values((content?.["examples"] as JsonObject | undefined) ?? {})[0] as
      JsonObject | undefined;
    if (example !== undefined && /^2/.test(status)) {
      examples[operation] =
        typeof example["$ref"] === "string"
          ? (lookup(example["$ref"])["value"] ?? null)
          : (example["value"] ?? null);
    }
  }
  operations[operation] = responses;
}

/** GraphQL: the types reachable from the two mutations, each field's type as GraphQL writes it (`Int!`). */
interface IntrospectedType {
  kind: string;
  name: string;
  fields: { name: string; type: TypeRef; args: { name: string; type: TypeRef }[] }[] | null;
  inputFields: { name: string; type: TypeRef }[] | null;
  enumValues: { name: string }[] | null;
}
interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
const introspection = JSON.parse(
  readFileSync(packageFile("@octokit/graphql-schema", "schema.json"), "utf8"),
) as { __schema: { types: IntrospectedType[] } };
const types = new Map(introspection.__schema.types.map((type) => [type.name, type]));
const written = (ref: TypeRef): string =>
  ref.kind === "NON_NULL"
    ? `${written(ref.ofType as TypeRef)}!`
    : ref.kind === "LIST"
      ? `[${written(ref.ofType as TypeRef)}]`
      : (ref.name ?? "");
const named = (ref: TypeRef): string => (ref.ofType === null ? (ref.name ?? "") : named(ref.ofType));
const MUTATIONS = ["enablePullRequestAutoMerge", "disablePullRequestAutoMerge"];
/** Only these object types are followed field by field; the rest are named, not described. */
const FOLLOW = new Set([
  "PullRequest",
  "AutoMergeRequest",
  "EnablePullRequestAutoMergePayload",
  "DisablePullRequestAutoMergePayload",
]);
const graphql: JsonObject = { mutations: {}, types: {} };
const mutation = types.get("Mutation");
const typeTable = graphql["types"] as JsonObject;
function describe(name: string): void {
  const type = types.get(name);
  if (type === undefined || name in typeTable) return;
  if (type.kind === "ENUM")
    typeTable[name] = { kind: "ENUM", values: (type.enumValues ?? []).map((value) => value.name) };
  else if (type.kind === "SCALAR") typeTable[name] = { kind: "SCALAR" };
  else if (type.kind === "INPUT_OBJECT") {
    typeTable[name] = {
      kind: "INPUT_OBJECT",
      fields: Object.fromEntries((type.inputFields ?? []).map((field) => [field.name, written(field.type)])),
    };
    (type.inputFields ?? []).forEach((field) => describe(named(field.type)));
  } else if (FOLLOW.has(name)) {
    typeTable[name] = {
      kind: type.kind,
      fields: Object.fromEntries((type.fields ?? []).map((field) => [field.name, written(field.type)])),
    };
    (type.fields ?? []).forEach((field) => {
      const inner = types.get(named(field.type));
      if (inner !== undefined && (inner.kind !== "OBJECT" || FOLLOW.has(inner.name))) describe(inner.name);
    });
  } else typeTable[name] = { kind: type.kind };
}
for (const name of MUTATIONS) {
  const field = mutation?.fields?.find((candidate) => candidate.name === name);
  if (field === undefined) throw new Error(`${name} is not in @octokit/graphql-schema`);
  (graphql["mutations"] as JsonObject)[name] = {
    args: Object.fromEntries(field.args.map((arg) => [arg.name, written(arg.type)])),
    type: written(field.type),
  };
  field.args.forEach((arg) => describe(named(arg.type)));
  describe(named(field.type));
}

const openapiVersion = (
  JSON.parse(readFileSync(packageFile("@octokit/openapi", "package.json"), "utf8")) as { version: string }
).version;
const graphqlVersion = (
  JSON.parse(readFileSync(packageFile("@octokit/graphql-schema", "package.json"), "utf8")) as {
    version: string;
  }
).version;
const out = join(root, "test", "fakes", "github", "github-api-schemas.json");
writeFileSync(
  out,
  JSON.stringify(
    {
      source: `@octokit/openapi ${openapiVersion} (api.github.com.json) and @octokit/graphql-schema ${graphqlVersion}, MIT; regenerate with scripts/extract-github-schemas.ts`,
      operations,
      components: { schemas },
      examples,
      graphql,
    },
    null,
    1,
  ) + "\n",
);
console.log(
  `wrote ${out}: ${Object.keys(operations).length} operations, ${Object.keys(schemas).length} component schemas`,
);
