/**
 * Group members that name no user (issue 9). Okta and Entra only send members they provisioned, so such a
 * member is an IdP-side mistake: the write succeeds without it, a warning names it, and SCIM never shows it.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GROUP_URN, USER_URN, patchOf, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const warnings: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
const scim = shareScim({ onWarning: (message, fields) => warnings.push({ message, fields }) });

let counter = 0;
async function newUser(): Promise<string> {
  const reply = await scim.call("POST", "/Users", {
    schemas: [USER_URN],
    userName: `member.${++counter}@example.com`,
  });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

async function newGroup(members: string[] = []): Promise<{ status: number; id: string; members: unknown }> {
  const reply = await scim.call("POST", "/Groups", {
    schemas: [GROUP_URN],
    displayName: `Group ${++counter}`,
    members: members.map((value) => ({ value })),
  });
  return { status: reply.status, id: reply.body.id as string, members: reply.body.members };
}

async function membersOf(groupId: string): Promise<unknown[]> {
  const reply = await scim.call("GET", `/Groups/${groupId}`);
  expect(reply.status).toBe(200);
  return pluck(reply.body.members, "value");
}

/** The groups a filter on member value finds: what is stored, not only what GET shows. */
async function groupsListing(memberId: string): Promise<unknown[]> {
  const filter = encodeURIComponent(`members[value eq "${memberId}"]`);
  const reply = await scim.call("GET", `/Groups?filter=${filter}`);
  expect(reply.status).toBe(200);
  return pluck(reply.body.Resources, "id");
}

/** The warnings logged since `from`, as one text, for asserting which ids they name. */
function warnedSince(from: number): string {
  return JSON.stringify(warnings.slice(from));
}

describe("a member value that names no user", () => {
  it("POST: 201 without it, the same on GET and in the members filter, and a warning naming it", async () => {
    const known = await newUser();
    const unknown = randomUUID();
    const from = warnings.length;
    const created = await newGroup([known, unknown]);
    expect(created.status).toBe(201);
    expect(pluck(created.members, "value")).toEqual([known]);
    expect(await membersOf(created.id)).toEqual([known]);
    expect(await groupsListing(unknown)).toEqual([]);
    expect(warnedSince(from)).toContain(unknown);
    expect(warnedSince(from)).toContain(created.id);
  });

  it("PUT: 200 without it", async () => {
    const known = await newUser();
    const group = await newGroup();
    const unknown = randomUUID();
    const from = warnings.length;
    const replaced = await scim.call("PUT", `/Groups/${group.id}`, {
      schemas: [GROUP_URN],
      displayName: `Replaced ${group.id}`,
      members: [{ value: unknown }, { value: known }],
    });
    expect(replaced.status).toBe(200);
    expect(pluck(replaced.body.members, "value")).toEqual([known]);
    expect(await membersOf(group.id)).toEqual([known]);
    expect(warnedSince(from)).toContain(unknown);
  });

  it("PATCH add and replace: 204 without it, the known members kept", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const group = await newGroup([a]);
    const [ghostAdd, ghostReplace] = [randomUUID(), randomUUID()];
    const from = warnings.length;
    const added = await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "add", path: "members", value: [{ value: ghostAdd }, { value: b }] }),
    );
    expect(added.status).toBe(204);
    expect(await membersOf(group.id)).toEqual([a, b]);
    const replaced = await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "Replace", path: "members", value: [{ value: b }, { value: ghostReplace }] }),
    );
    expect(replaced.status).toBe(204);
    expect(await membersOf(group.id)).toEqual([b]);
    expect(warnedSince(from)).toContain(ghostAdd);
    expect(warnedSince(from)).toContain(ghostReplace);
  });

  it("a group as a member (nesting) is left out too, and the warning says it is a group", async () => {
    const inner = await newGroup();
    const outer = await newGroup();
    const from = warnings.length;
    const reply = await scim.call(
      "PATCH",
      `/Groups/${outer.id}`,
      patchOf({ op: "add", path: "members", value: [{ value: inner.id, type: "Group" }] }),
    );
    expect(reply.status).toBe(204);
    expect(await membersOf(outer.id)).toEqual([]);
    expect(warnedSince(from)).toContain(inner.id);
    expect(warnedSince(from)).toMatch(/nested groups/i);
  });

  it("a group stored with such a member before this check (an old journal) is shown without it", async () => {
    const known = await newUser();
    const group = await newGroup([known]);
    const ghost = randomUUID();
    await scim.ledger.update("Group", group.id, "patch", (current) => ({
      ...current!,
      members: [{ value: known }, { value: ghost }],
    }));
    expect(await membersOf(group.id)).toEqual([known]);
  });

  it("a write with only known members logs nothing", async () => {
    const known = await newUser();
    const from = warnings.length;
    await newGroup([known]);
    expect(warnings.slice(from)).toEqual([]);
  });
});

describe("deleting a user", () => {
  it("removes it from every group, also when a PATCH adding it races the DELETE", async () => {
    const groups = [await newGroup(), await newGroup()];
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    await Promise.all(
      users.flatMap((user) => [
        scim.call("DELETE", `/Users/${user}`),
        ...groups.map((group) =>
          scim.call(
            "PATCH",
            `/Groups/${group.id}`,
            patchOf({ op: "add", path: "members", value: [{ value: user }] }),
          ),
        ),
      ]),
    );
    for (const group of groups) expect(await membersOf(group.id)).toEqual([]);
    for (const user of users) {
      expect((await scim.call("GET", `/Users/${user}`)).status).toBe(404);
      expect(await groupsListing(user)).toEqual([]);
    }
  });

  it("a member added after the DELETE is left out", async () => {
    const user = await newUser();
    const group = await newGroup([user]);
    expect((await scim.call("DELETE", `/Users/${user}`)).status).toBe(204);
    expect(await membersOf(group.id)).toEqual([]);
    await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "add", path: "members", value: [{ value: user }] }),
    );
    expect(await membersOf(group.id)).toEqual([]);
    expect(await groupsListing(user)).toEqual([]);
  });
});

describe("checking a group write", () => {
  // Only new or changed entries go through scimmy's slow per-entry check (ingest.ts); they must still go.
  it("still refuses a new member entry the schema does not allow, next to members already stored", async () => {
    const kept = await newUser();
    const group = await newGroup([kept]);
    const added = await newUser();
    const refused = await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "add", path: "members", value: [{ value: added, type: "Device" }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe("invalidValue");
    expect(await membersOf(group.id)).toEqual([kept]);
  });

  it("answers an Entra lookup that excludes members without listing them, and lists them otherwise", async () => {
    const member = await newUser();
    const group = await newGroup([member]);
    const name = encodeURIComponent(`displayName eq "Group ${counter}"`);
    const lookup = await scim.call("GET", `/Groups?excludedAttributes=members&filter=${name}`);
    expect(lookup.body.Resources).toHaveLength(1);
    expect(lookup.body.Resources[0].id).toBe(group.id);
    expect(lookup.body.Resources[0].members).toBeUndefined();
    const full = await scim.call("GET", `/Groups?filter=${name}`);
    expect(pluck(full.body.Resources[0].members, "value")).toEqual([member]);
  });
});
