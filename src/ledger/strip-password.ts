/**
 * A SCIM `password` is never stored (DESIGN §4). The SCIM layer already drops it; the ledger drops it again
 * so no caller can put one on disk by mistake, whether sent as `password`, any casing of it, or under the
 * core schema's URN.
 */
import type { ScimResource } from "./ledger.js";

function isPasswordKey(key: string): boolean {
  const lower = key.toLowerCase();
  return lower === "password" || lower.endsWith(":password");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The resource itself when it holds no password (the common case costs no copy). */
export function stripPassword(resource: ScimResource): ScimResource {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(resource)) {
    if (isPasswordKey(key)) {
      copy ??= { ...resource };
      delete copy[key];
    } else if (key.startsWith("urn:") && isPlainObject(value) && Object.keys(value).some(isPasswordKey)) {
      copy ??= { ...resource };
      copy[key] = Object.fromEntries(Object.entries(value).filter(([inner]) => !isPasswordKey(inner)));
    }
  }
  return (copy as ScimResource | undefined) ?? resource;
}
