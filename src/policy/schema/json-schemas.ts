import type { PolicyTargets } from "../targets/policy-targets.js";
import type { Decoder, JsonSchema } from "./decoder.js";
import { groupSchema, userSchema } from "./identities.js";

/** The editor schemas, by file name under `policies/`, each generated from the decoder that validates. */
function documents(targets: PolicyTargets): readonly (readonly [string, string, Decoder<unknown>])[] {
  return [
    ["settings.schema.json", "scim-gitops settings.yaml", targets.settingsSchema],
    ["access.schema.json", "scim-gitops access file (access/*.yaml)", targets.accessSchema],
    ["user.schema.json", "scim-gitops user file (identities/users/*.yaml)", userSchema],
    ["group.schema.json", "scim-gitops group file (identities/groups/*.yaml)", groupSchema],
  ];
}

export function generateJsonSchemas(targets: PolicyTargets): Map<string, JsonSchema> {
  return new Map(
    documents(targets).map(([file, title, decoder]) => [
      file,
      {
        $schema: "http://json-schema.org/draft-07/schema#",
        title,
        ...decoder.jsonSchema(),
      },
    ]),
  );
}

/** The exact text written to disk, so a test can tell a stale committed file from a fresh one. */
export function renderJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
