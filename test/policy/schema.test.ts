import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateJsonSchemas, renderJsonSchema } from "../../src/policy/schema/json-schemas.js";
import { POLICY_TARGETS } from "../../src/targets/registry.js";

const POLICIES = join(import.meta.dirname, "..", "..", "policies");

describe("JSON Schemas for editors", () => {
  const schemas = generateJsonSchemas(POLICY_TARGETS);

  it.each([...schemas.keys()])(
    "policies/%s matches the validating schema (run `npm run schemas` if not)",
    (file) => {
      const committed = readFileSync(join(POLICIES, file), "utf8");
      expect(committed).toBe(renderJsonSchema(schemas.get(file)!));
    },
  );

  it("rejects unknown keys in settings and access files but keeps people's own fields in identity files", () => {
    expect(schemas.get("settings.schema.json")).toMatchObject({ additionalProperties: false });
    expect(schemas.get("access.schema.json")).toMatchObject({ additionalProperties: false });
    expect(schemas.get("user.schema.json")).toMatchObject({
      additionalProperties: true,
      required: ["id", "userName", "active"],
    });
    expect(schemas.get("group.schema.json")).toMatchObject({
      additionalProperties: true,
      required: ["id", "displayName"],
    });
  });

  it("describes a Pulsar role entry as exactly one of namespace, topic or tenantAdmin", () => {
    const access = schemas.get("access.schema.json") as {
      properties: {
        roles: {
          additionalProperties: { properties: { pulsar: { items: { oneOf: { required: string[] }[] } } } };
        };
      };
    };
    const variants = access.properties.roles.additionalProperties.properties.pulsar.items.oneOf;
    expect(variants.map((variant) => variant.required)).toEqual([
      ["namespace", "actions"],
      ["topic", "actions"],
      ["tenantAdmin"],
    ]);
  });

  it("every example file names the schema that describes it", () => {
    expect(readFileSync(join(POLICIES, "settings.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\/settings\.schema\.json$/m,
    );
    expect(readFileSync(join(POLICIES, "access", "payments.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/access\.schema\.json$/m,
    );
  });
});
