import { parse } from "yaml";
import type { ScimResource } from "../ledger/ledger.js";
import { NAME_PARTS } from "../policy/identities/identity-file.js";
import type { GroupFileFields, PersonName, UserFileFields } from "../policy/identities/identity-file.js";

/** What SCIM owns of a User resource, as a user file holds it (DESIGN §3). */
export function userFieldsFrom(resource: ScimResource): UserFileFields {
  return {
    id: resource.id,
    ...optional("externalId", text(resource["externalId"])),
    userName: text(resource["userName"]) ?? resource.id,
    ...optional("displayName", displayNameOf(resource)),
    ...optional("name", nameOf(resource["name"], text)),
    active: isActive(resource),
    emails: emailsOf(resource["emails"]),
    ...optional("created", createdOf(resource)),
  };
}

/**
 * What SCIM owns of a Group resource. Members are written by userName (what bindings and reviewers read);
 * a member id the ledger does not know as a user (a nested group, a user deleted since) is dropped.
 */
export function groupFieldsFrom(
  resource: ScimResource,
  userNameOf: (id: string) => string | undefined,
): GroupFileFields {
  const members = memberIds(resource).flatMap((id) => userNameOf(id) ?? []);
  return {
    id: resource.id,
    ...optional("externalId", text(resource["externalId"])),
    displayName: text(resource["displayName"]) ?? resource.id,
    members: [...new Set(members)].sort(),
    ...optional("created", createdOf(resource)),
  };
}

/** SCIM `active` defaults to true; IdPs (Entra) may send `"False"` as a string. */
export function isActive(resource: ScimResource | undefined): boolean {
  const active = resource?.["active"];
  if (typeof active === "string") return active.trim().toLowerCase() !== "false";
  return active !== false;
}

export function memberIds(resource: ScimResource | undefined): string[] {
  const members = resource?.["members"];
  if (!Array.isArray(members)) return [];
  return members.flatMap((member: unknown) => {
    const value = isRecord(member) ? member["value"] : undefined;
    return typeof value === "string" && value !== "" ? [value] : [];
  });
}

/**
 * The SCIM-owned fields a user file already holds, for edits that must change nothing else (an emergency
 * revocation, a tombstone). Undefined when the file is not a user file the bot can read.
 */
export function userFieldsFromFile(textOfFile: string): UserFileFields | undefined {
  const document = parseMapping(textOfFile);
  if (document === undefined) return undefined;
  const id = scalarText(document["id"]);
  const userName = scalarText(document["userName"]);
  if (id === undefined || userName === undefined) return undefined;
  const emails = Array.isArray(document["emails"])
    ? document["emails"].flatMap((e) => scalarText(e) ?? [])
    : [];
  return {
    id,
    ...optional("externalId", scalarText(document["externalId"])),
    userName,
    ...optional("displayName", scalarText(document["displayName"])),
    ...optional("name", nameOf(document["name"], scalarText)),
    active: document["active"] !== false,
    emails,
    ...optional("created", scalarText(document["created"])),
    ...optional("deleted", scalarText(document["deleted"])),
  };
}

/** The SCIM-owned fields a group file already holds, for an edit that only removes members. */
export function groupFieldsFromFile(textOfFile: string): GroupFileFields | undefined {
  const document = parseMapping(textOfFile);
  if (document === undefined) return undefined;
  const id = scalarText(document["id"]);
  const displayName = scalarText(document["displayName"]);
  if (id === undefined || displayName === undefined) return undefined;
  const members = Array.isArray(document["members"])
    ? document["members"].flatMap((member) => scalarText(member) ?? [])
    : [];
  return {
    id,
    ...optional("externalId", scalarText(document["externalId"])),
    displayName,
    members,
    ...optional("created", scalarText(document["created"])),
  };
}

/** A file's top-level mapping, or undefined when it is not YAML or not a mapping (the bot leaves it alone). */
function parseMapping(textOfFile: string): Record<string, unknown> | undefined {
  try {
    const document: unknown = parse(textOfFile);
    return isRecord(document) ? document : undefined;
  } catch {
    return undefined;
  }
}

function displayNameOf(resource: ScimResource): string | undefined {
  const direct = text(resource["displayName"]);
  if (direct !== undefined) return direct;
  const name = resource["name"];
  if (!isRecord(name)) return undefined;
  const formatted = text(name["formatted"]);
  if (formatted !== undefined) return formatted;
  const parts = [text(name["givenName"]), text(name["familyName"])].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts.join(" ");
}

/** The name parts present, in file order; undefined when there are none. */
function nameOf(value: unknown, partOf: (part: unknown) => string | undefined): PersonName | undefined {
  if (!isRecord(value)) return undefined;
  const parts = NAME_PARTS.flatMap((part) => {
    const given = partOf(value[part]);
    return given === undefined ? [] : [[part, given] as const];
  });
  return parts.length === 0 ? undefined : Object.fromEntries(parts);
}

function createdOf(resource: ScimResource): string | undefined {
  const meta = resource["meta"];
  return isRecord(meta) ? text(meta["created"]) : undefined;
}

/** Addresses only, primary first, each once; the rest keep the IdP's order. */
function emailsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const entries = value.flatMap((entry: unknown) => {
    if (!isRecord(entry)) return [];
    const address = text(entry["value"]);
    if (address === undefined) return [];
    const primary = entry["primary"] === true || String(entry["primary"]).toLowerCase() === "true";
    return [{ address, primary }];
  });
  const ordered = [...entries.filter((e) => e.primary), ...entries.filter((e) => !e.primary)];
  return [...new Set(ordered.map((entry) => entry.address))];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
