import { accessSchema } from "./access.js";
import type { Decoder, JsonSchema } from "./decoder.js";
import { groupSchema, userSchema } from "./identities.js";
import { settingsSchema } from "./settings.js";

/** The editor schemas, by file name under `policies/`, each generated from the decoder that validates. */
const DOCUMENTS: readonly (readonly [string, string, Decoder<unknown>])[] = [
  ["settings.schema.json", "scim-gitops settings.yaml", settingsSchema],
  ["access.schema.json", "scim-gitops access file (access/*.yaml)", accessSchema],
  ["user.schema.json", "scim-gitops user file (identities/users/*.yaml)", userSchema],
  ["group.schema.json", "scim-gitops group file (identities/groups/*.yaml)", groupSchema],
];

export function generateJsonSchemas(): Map<string, JsonSchema> {
  return new Map(
    DOCUMENTS.map(([file, title, decoder]) => [
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
