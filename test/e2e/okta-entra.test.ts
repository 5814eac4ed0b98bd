/**
 * End to end (issue 3): Okta- and Entra-shaped SCIM sequences over real HTTP into the embedded git mode, then
 * the YAML on the sync branch and the emergency merge on main, read back with git.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { GROUP_URN, ENTERPRISE_URN, USER_URN, oktaUser, patchOf } from "../scim/support/scim-server.js";
import { startEmbedded, TOKEN, type Embedded } from "./support/embedded.js";

const SYNC = "scim-gitops/sync";
let scratch: string;
let system: Embedded;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "e2e-okta-entra-"));
  system = await startEmbedded(scratch);
});

afterAll(async () => {
  await system?.stop();
  await rm(scratch, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${system.root}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

const git = (...args: string[]) =>
  execFileSync("git", ["-C", system.repoPath, ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    stdio: ["ignore", "pipe", "ignore"],
  });

const fileAt = (ref: string, path: string): string | undefined => {
  try {
    return git("show", `${ref}:policies/identities/${path}`);
  } catch {
    return undefined;
  }
};

/** Fields of a user or group file as YAML, read from a branch (the proposer may still be flushing). */
function yamlAt(ref: string, path: string): Record<string, unknown> | undefined {
  const text = fileAt(ref, path);
  return text === undefined ? undefined : (parse(text) as Record<string, unknown>);
}

const until = (assertion: () => void | Promise<void>) =>
  vi.waitFor(assertion, { timeout: 15_000, interval: 100 });

describe("Okta", () => {
  const ids: string[] = [];
  let groupId = "";

  it("creates 120 users after an empty lookup, and pages them with count=100", async () => {
    const filter = encodeURIComponent('userName eq "okta.user0@example.com"');
    const lookup = await call("GET", `/Users?filter=${filter}&startIndex=1&count=100`);
    expect(lookup).toMatchObject({ status: 200, body: { totalResults: 0 } });
    for (let i = 0; i < 120; i++) {
      const created = await call("POST", "/Users", oktaUser(`okta.user${i}@example.com`));
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const seen: string[] = [];
    for (let start = 1; start <= 201; start += 100) {
      const page = await call("GET", `/Users?startIndex=${start}&count=100`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.Resources as { id: string }[]).map((user) => user.id));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));

    await until(() => {
      expect(yamlAt(SYNC, "users/okta-user119-example-com.yaml")).toMatchObject({
        id: ids[119],
        userName: "okta.user119@example.com",
        displayName: "okta user119",
        active: true,
        emails: ["okta.user119@example.com"],
      });
    });
    expect(git("log", "-1", "--format=%B", SYNC)).toMatch(/SCIM-Operation: POST User /);
  });

  it("updates with GET then PUT, and pushes a group with members added and removed", async () => {
    const got = await call("GET", `/Users/${ids[0]}`);
    const put = await call("PUT", `/Users/${ids[0]}`, { ...got.body, displayName: "Ada Okta" });
    expect(put.status).toBe(200);

    const group = await call("POST", "/Groups", {
      schemas: [GROUP_URN],
      displayName: "okta-payments",
      members: [],
    });
    expect(group.status).toBe(201);
    groupId = group.body.id as string;
    const add = await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf(
        { op: "replace", value: { id: groupId, displayName: "okta-payments" } },
        {
          op: "add",
          path: "members",
          value: [0, 1, 2].map((i) => ({ value: ids[i], display: `okta.user${i}@example.com` })),
        },
      ),
    );
    expect([200, 204]).toContain(add.status);
    const remove = await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "remove", path: `members[value eq "${ids[1]}"]` }),
    );
    expect([200, 204]).toContain(remove.status);

    await until(() => {
      expect(yamlAt(SYNC, "users/okta-user0-example-com.yaml")).toMatchObject({ displayName: "Ada Okta" });
      expect(yamlAt(SYNC, "groups/okta-payments.yaml")).toEqual({
        id: groupId,
        displayName: "okta-payments",
        members: ["okta.user0@example.com", "okta.user2@example.com"],
        created: group.body.meta.created,
      });
    });
  });

  it("deactivates by PATCH: once the sync branch is merged, the revocation reaches main as an emergency merge", async () => {
    await until(() => expect(yamlAt(SYNC, "groups/okta-payments.yaml")).toBeDefined());
    const head = git("rev-parse", SYNC).trim();
    await system.merge(head);
    await until(() => expect(git("branch", "--list", SYNC).trim()).toBe(""));

    const deactivated = await call(
      "PATCH",
      `/Users/${ids[2]}`,
      patchOf({ op: "replace", value: { active: false } }),
    );
    expect([200, 204]).toContain(deactivated.status);
    await until(() =>
      expect(yamlAt("main", "users/okta-user2-example-com.yaml")).toMatchObject({ active: false }),
    );
    const merge = git("log", "-1", "--format=%P%n%B", "main");
    expect(merge.split("\n")[0]?.split(" ")).toHaveLength(2);
    expect(merge).toContain("Emergency deprovision: okta.user2@example.com (deactivated)");
    expect(merge).toContain(`SCIM-Operation: PATCH User ${ids[2]}`);
    expect(merge).toContain("Revocation-Only: proven");
    // The branch is deleted just after the merge moves main: under load the test can look in between.
    await until(() => expect(git("branch", "--list", "scim-gitops/emergency/*").trim()).toBe(""));
  });
});

describe("Entra ID", () => {
  let userId = "";
  let groupId = "";

  it("creates after a GUID test connection, patches with capitalised ops and disables with 'False'", async () => {
    const probe = await call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "3f1c6a2e-0d4b-4c59-9b5e-6a1f0e2d7c11"')}`,
    );
    expect(probe).toMatchObject({ status: 200, body: { totalResults: 0 } });
    const created = await call("POST", "/Users", {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: "entra-object-1",
      userName: "Dana.Scully@contoso.com",
      active: true,
      emails: [{ primary: true, type: "work", value: "Dana.Scully@contoso.com" }],
      meta: { resourceType: "User" },
      name: { formatted: "Dana Scully", familyName: "Scully", givenName: "Dana" },
      roles: [],
      title: null,
      addresses: null,
    });
    expect(created.status).toBe(201);
    userId = created.body.id as string;
    const patched = await call(
      "PATCH",
      `/Users/${userId}`,
      patchOf(
        { op: "Replace", path: "displayName", value: "Dana K. Scully" },
        { op: "Add", path: `${ENTERPRISE_URN}:manager`, value: "someone-else" },
      ),
    );
    expect([200, 204]).toContain(patched.status);

    const group = await call("POST", "/Groups", {
      schemas: [GROUP_URN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
      externalId: "entra-group-1",
      displayName: "Entra Analysts",
    });
    expect(group.status).toBe(201);
    groupId = group.body.id as string;
    const add = await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "Add", path: "members", value: [{ $ref: null, value: userId }] }),
    );
    expect(add.status).toBe(204);
    await until(() => {
      expect(yamlAt(SYNC, "users/dana-scully-contoso-com.yaml")).toMatchObject({
        externalId: "entra-object-1",
        displayName: "Dana K. Scully",
        active: true,
      });
      expect(yamlAt(SYNC, "groups/entra-analysts.yaml")).toMatchObject({
        members: ["Dana.Scully@contoso.com"],
      });
    });

    const remove = await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "Remove", path: "members", value: [{ $ref: null, value: userId }] }),
    );
    expect(remove.status).toBe(204);
    const disable = await call(
      "PATCH",
      `/Users/${userId}`,
      patchOf({ op: "Replace", path: "active", value: "False" }),
    );
    expect([200, 204]).toContain(disable.status);
    await until(() => {
      expect(yamlAt(SYNC, "users/dana-scully-contoso-com.yaml")).toMatchObject({ active: false });
      expect(yamlAt(SYNC, "groups/entra-analysts.yaml")).toMatchObject({ members: [] });
    });
  });

  it("hard-deletes: a user main knows becomes a tombstone there; one it never knew leaves the sync branch", async () => {
    const okta = await call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "okta.user5@example.com"')}`,
    );
    const oktaId = okta.body.Resources[0].id as string;
    expect((await call("DELETE", `/Users/${oktaId}`)).status).toBe(204);
    expect((await call("DELETE", `/Users/${userId}`)).status).toBe(204);
    expect((await call("DELETE", `/Groups/${groupId}`)).status).toBe(204);

    await until(() => {
      const tombstone = yamlAt("main", "users/okta-user5-example-com.yaml");
      expect(tombstone).toMatchObject({ active: false, userName: "okta.user5@example.com" });
      expect(typeof tombstone?.["deleted"]).toBe("string");
      expect(fileAt(SYNC, "users/dana-scully-contoso-com.yaml")).toBeUndefined();
      expect(fileAt(SYNC, "groups/entra-analysts.yaml")).toBeUndefined();
    });
    expect(git("log", "-1", "--format=%B", "main")).toContain(`SCIM-Operation: DELETE User ${oktaId}`);
  });
});
