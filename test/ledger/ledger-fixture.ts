/** Temporary data directories and SCIM-shaped resources for the ledger tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScimResource } from "../../src/ledger/ledger.js";

export async function makeDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const scratch = await mkdtemp(join(tmpdir(), "ledger-test-"));
  return { dir: join(scratch, "data"), remove: () => rm(scratch, { recursive: true, force: true }) };
}

export function user(id: string, userName: string, extra: Record<string, unknown> = {}): ScimResource {
  return {
    id,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName,
    name: { givenName: "Test", familyName: userName },
    emails: [{ value: userName, primary: true, type: "work" }],
    active: true,
    meta: { resourceType: "User", created: "2026-11-29T00:00:00Z", lastModified: "2026-11-29T00:00:00Z" },
    ...extra,
  };
}

export function group(id: string, displayName: string, members: string[] = []): ScimResource {
  return {
    id,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName,
    members: members.map((value) => ({ value })),
  };
}

export function memberIds(resource: ScimResource | undefined): string[] {
  const members = (resource?.members ?? []) as { value: string }[];
  return members.map((member) => member.value);
}
