/**
 * `npm run schemas`: writes the JSON Schemas editors use for policy files into `policies/`, generated from
 * the same schema the validator runs (src/policy/schema). A test fails when the committed files are stale.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateJsonSchemas, renderJsonSchema } from "../src/policy/schema/json-schemas.js";
import { POLICY_TARGETS } from "../src/targets/registry.js";

const policies = join(dirname(fileURLToPath(import.meta.url)), "..", "policies");
for (const [file, schema] of generateJsonSchemas(POLICY_TARGETS)) {
  writeFileSync(join(policies, file), renderJsonSchema(schema));
  console.log(`wrote policies/${file}`);
}
