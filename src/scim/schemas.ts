/**
 * The schema definitions the service speaks, built once from scimmy's own (User + EnterpriseUser, Group),
 * plus a plain, cached index of their attributes so per-request code never walks scimmy's proxies.
 */
import SCIMMY from "scimmy";
import type { ResourceType } from "../ledger/ledger.js";

type ScimmyAttribute = SCIMMY.Types.Attribute;
type ScimmyDefinition = SCIMMY.Types.SchemaDefinition;

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export type AttributeType =
  "string" | "complex" | "boolean" | "binary" | "decimal" | "integer" | "dateTime" | "reference";

export interface AttributeInfo {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly readOnly: boolean;
  readonly returned: "always" | "default" | "never" | "request";
  readonly canonicalValues: readonly string[] | undefined;
  /** Keyed by lower-case name. */
  readonly subAttributes: ReadonlyMap<string, AttributeInfo>;
}

export interface ExtensionInfo {
  readonly urn: string;
  readonly attributes: ReadonlyMap<string, AttributeInfo>;
}

export interface ResourceSchema {
  readonly type: ResourceType;
  readonly endpoint: "Users" | "Groups";
  readonly urn: string;
  readonly definition: ScimmyDefinition;
  /** Core attributes keyed by lower-case name, including id, externalId and meta. */
  readonly attributes: ReadonlyMap<string, AttributeInfo>;
  /** Keyed by lower-case URN. */
  readonly extensions: ReadonlyMap<string, ExtensionInfo>;
}

/**
 * roles.type and x509Certificates.type declare an empty canonical list in scimmy, so every value is refused
 * (defect 10); RFC 7643 gives them no canonical values at all.
 */
function withoutEmptyCanonicals(attribute: ScimmyAttribute): ScimmyAttribute {
  const subs = attribute.subAttributes ?? [];
  const emptied = subs.filter(
    (sub) => Array.isArray(sub.config.canonicalValues) && sub.config.canonicalValues.length === 0,
  );
  if (emptied.length === 0) return attribute;
  const rebuilt = subs.map((sub) =>
    emptied.includes(sub)
      ? new SCIMMY.Types.Attribute(sub.type, sub.name, { ...sub.config, canonicalValues: false })
      : sub,
  );
  return new SCIMMY.Types.Attribute(attribute.type, attribute.name, { ...attribute.config }, rebuilt);
}

function ownAttributes(definition: ScimmyDefinition): ScimmyAttribute[] {
  return definition.attributes.filter(
    (attribute): attribute is ScimmyAttribute =>
      attribute instanceof SCIMMY.Types.Attribute && attribute.config.shadow !== true,
  );
}

function buildUserDefinition(): ScimmyDefinition {
  const core = SCIMMY.Schemas.User.definition;
  const definition = new SCIMMY.Types.SchemaDefinition(
    core.name,
    core.id,
    core.description,
    ownAttributes(core).map(withoutEmptyCanonicals),
  );
  return definition.extend(SCIMMY.Schemas.EnterpriseUser.definition, false);
}

function buildGroupDefinition(): ScimmyDefinition {
  const core = SCIMMY.Schemas.Group.definition;
  return new SCIMMY.Types.SchemaDefinition(core.name, core.id, core.description, ownAttributes(core));
}

function describeAttribute(attribute: ScimmyAttribute): AttributeInfo {
  const config = attribute.config;
  const mutable = config.mutable;
  const returned = config.returned;
  const subAttributes = new Map<string, AttributeInfo>();
  for (const sub of attribute.subAttributes ?? [])
    subAttributes.set(sub.name.toLowerCase(), describeAttribute(sub));
  const canonical = config.canonicalValues;
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: config.multiValued === true,
    caseExact: attribute.type === "binary" || config.caseExact === true,
    readOnly: mutable === false || mutable === "readOnly" || config.direction === "out",
    returned:
      typeof returned === "string"
        ? (returned as AttributeInfo["returned"])
        : returned === false
          ? "never"
          : "default",
    canonicalValues: Array.isArray(canonical) && canonical.length > 0 ? canonical : undefined,
    subAttributes,
  };
}

function indexAttributes(attributes: readonly ScimmyAttribute[]): Map<string, AttributeInfo> {
  const index = new Map<string, AttributeInfo>();
  for (const attribute of attributes) index.set(attribute.name.toLowerCase(), describeAttribute(attribute));
  return index;
}

function buildSchema(type: ResourceType, definition: ScimmyDefinition): ResourceSchema {
  const attributes = indexAttributes(
    definition.attributes.filter(
      (attribute): attribute is ScimmyAttribute =>
        attribute instanceof SCIMMY.Types.Attribute && attribute.name !== "schemas",
    ),
  );
  const extensions = new Map<string, ExtensionInfo>();
  for (const extension of definition.attributes) {
    if (extension instanceof SCIMMY.Types.SchemaDefinition) {
      extensions.set(extension.id.toLowerCase(), {
        urn: extension.id,
        attributes: indexAttributes(ownAttributes(extension)),
      });
    }
  }
  return {
    type,
    endpoint: type === "User" ? "Users" : "Groups",
    urn: definition.id,
    definition,
    attributes,
    extensions,
  };
}

export const userSchema: ResourceSchema = buildSchema("User", buildUserDefinition());
export const groupSchema: ResourceSchema = buildSchema("Group", buildGroupDefinition());
