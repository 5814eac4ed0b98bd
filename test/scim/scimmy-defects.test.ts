/**
 * One test per scimmy 1.3.5 defect in reference §3. Where scimmy alone can show the defect, the test first
 * shows it does (so the workaround is still needed: if scimmy fixes it, that line fails and says so), then
 * shows our service does not.
 */
import SCIMMY from "scimmy";
import { describe, expect, it } from "vitest";
import {
  ENTERPRISE_URN,
  ERROR_URN,
  GROUP_URN,
  USER_URN,
  oktaUser,
  patchOf,
  pluck,
  startScim,
} from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const { Filter } = SCIMMY.Types;
const PATCH_ID = SCIMMY.Messages.PatchOp.id;

const scim = shareScim();

let counter = 0;
async function newUser(extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await scim.call("POST", "/Users", oktaUser(`defect.${++counter}@example.com`, extra));
  expect(reply.status, reply.text).toBe(201);
  return reply.body.id as string;
}

async function newGroup(displayName: string, members: string[] = []): Promise<string> {
  const reply = await scim.call("POST", "/Groups", {
    schemas: [GROUP_URN],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.id as string;
}

type PatchOperations = NonNullable<ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]>["Operations"];

/** scimmy's own PatchOp on a User (or Group) instance, as plain JSON. */
async function scimmyPatch(
  resource: Record<string, unknown>,
  operations: PatchOperations,
  kind: "User" | "Group" = "User",
): Promise<unknown> {
  const instance =
    kind === "User" ? new SCIMMY.Schemas.User(resource, "out") : new SCIMMY.Schemas.Group(resource, "out");
  const result = await new SCIMMY.Messages.PatchOp({ schemas: [PATCH_ID], Operations: operations }).apply(
    instance,
  );
  return JSON.parse(JSON.stringify(result)) as unknown;
}

function q(filter: string): string {
  return encodeURIComponent(filter);
}

describe("scimmy 1.3.5 defects", () => {
  it("1: paging with count=100 reaches users past 100 (Express 5's req.query cannot bite: the HTTP layer is ours)", async () => {
    const fresh = await startScim();
    try {
      for (let i = 0; i < 130; i++) await fresh.call("POST", "/Users", oktaUser(`page.${i}@example.com`));
      const second = await fresh.call("GET", "/Users?startIndex=101&count=100");
      expect(second.body).toMatchObject({ totalResults: 130, startIndex: 101, itemsPerPage: 30 });
      expect(second.body.Resources[0].userName).toBe("page.100@example.com");
    } finally {
      await fresh.close();
    }
  });

  it("2: startIndex past the total gives an empty page, not the first one", async () => {
    expect(
      new SCIMMY.Messages.ListResponse([{ id: "1" }, { id: "2" }] as never[], { startIndex: 5, count: 1 })
        .Resources,
    ).toHaveLength(1);
    await newUser();
    const reply = await scim.call("GET", "/Users?startIndex=100000&count=10");
    expect(reply.body.Resources).toEqual([]);
    expect(reply.body.totalResults).toBeGreaterThan(0);
  });

  it("3: userName and displayName filters compare case-insensitively", async () => {
    expect(new Filter('userName eq "ALICE@X"').match([{ userName: "alice@x" }])).toHaveLength(0);
    const id = await newUser();
    const group = await newGroup("Case Group");
    const users = await scim.call("GET", `/Users?filter=${q(`userName eq "DEFECT.${counter}@EXAMPLE.COM"`)}`);
    expect(pluck(users.body.Resources, "id")).toEqual([id]);
    const groups = await scim.call("GET", `/Groups?filter=${q('displayName eq "case GROUP"')}`);
    expect(pluck(groups.body.Resources, "id")).toEqual([group]);
  });

  it('4: string booleans ("False" in PATCH, "True" in roles.primary on POST) are accepted', async () => {
    expect(
      () => new SCIMMY.Schemas.User({ schemas: [USER_URN], userName: "a", active: "False" }, "in"),
    ).toThrow(TypeError);
    const id = await newUser({ roles: [{ value: "admin", primary: "True" }] });
    expect((await scim.call("GET", `/Users/${id}`)).body.roles).toEqual([{ value: "admin", primary: true }]);
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: "active", value: "False" }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.active).toBe(false);
  });

  it("5: filtered add/replace on an entry that does not exist yet creates it", async () => {
    await expect(
      scimmyPatch({ id: "1", userName: "a" }, [
        { op: "add", path: 'emails[type eq "work"].value', value: "x@y" },
      ]),
    ).rejects.toThrow(/does not match/);
    const id = await newUser({ emails: [] });
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf(
        { op: "add", path: 'emails[type eq "home"].value', value: "home@example.com" },
        { op: "replace", path: 'phoneNumbers[type eq "work"].value', value: "+1 555" },
      ),
    );
    expect(reply.body.emails).toEqual([{ type: "home", value: "home@example.com" }]);
    expect(reply.body.phoneNumbers).toEqual([{ type: "work", value: "+1 555" }]);
  });

  it("6: a pathless replace of a multi-valued attribute replaces it (no duplicate emails)", async () => {
    const patched = (await scimmyPatch({ id: "1", userName: "a", emails: [{ value: "a@b", type: "work" }] }, [
      { op: "replace", value: { emails: [{ value: "c@d", type: "work" }] } },
    ])) as { emails: unknown[] };
    expect(patched.emails).toHaveLength(2);
    const id = await newUser();
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({
        op: "replace",
        value: { emails: [{ value: "new@example.com", type: "work", primary: true }] },
      }),
    );
    expect(reply.body.emails).toEqual([{ value: "new@example.com", type: "work", primary: true }]);
  });

  it("7: adding an existing member does not duplicate it", async () => {
    const patched = (await scimmyPatch(
      { id: "1", displayName: "g", members: [{ value: "u1" }] },
      [{ op: "add", path: "members", value: [{ value: "u1" }] }],
      "Group",
    )) as { members: unknown[] };
    expect(patched.members).toHaveLength(2);
    const user = await newUser();
    const group = await newGroup("Dedup", [user]);
    await scim.call(
      "PATCH",
      `/Groups/${group}`,
      patchOf({ op: "add", path: "members", value: [{ value: user }] }),
    );
    expect((await scim.call("GET", `/Groups/${group}`)).body.members).toEqual([{ value: user }]);
  });

  it("8: null for a multi-valued attribute in POST and PUT is taken as absent", async () => {
    expect(
      () => new SCIMMY.Schemas.User({ schemas: [USER_URN], userName: "a", phoneNumbers: null }, "in"),
    ).toThrow(/collection/);
    const created = await scim.call("POST", "/Users", {
      ...oktaUser("nulls.post@example.com"),
      phoneNumbers: null,
      addresses: null,
    });
    expect(created.status).toBe(201);
    const put = await scim.call("PUT", `/Users/${created.body.id}`, {
      ...oktaUser("nulls.post@example.com"),
      emails: null,
      title: null,
    });
    expect(put.status).toBe(200);
    expect(put.body.emails).toBeUndefined();
  });

  it("9: manager sent as a bare string becomes {value}", async () => {
    const boss = await newUser();
    const id = await newUser();
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "Add", path: `${ENTERPRISE_URN}:manager`, value: boss }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body[ENTERPRISE_URN]).toEqual({ manager: { value: boss } });
    const posted = await scim.call("POST", "/Users", {
      ...oktaUser("managed@example.com"),
      [ENTERPRISE_URN]: { manager: boss },
    });
    expect(posted.body[ENTERPRISE_URN]).toEqual({ manager: { value: boss } });
  });

  it("10: canonical values in another case are accepted and stored canonically; roles.type takes any value", async () => {
    expect(
      () =>
        new SCIMMY.Schemas.User(
          { schemas: [USER_URN], userName: "a", emails: [{ value: "a@b", type: "Work" }] },
          "in",
        ),
    ).toThrow(/canonical/);
    const reply = await scim.call("POST", "/Users", {
      ...oktaUser("canonical@example.com"),
      emails: [{ value: "canonical@example.com", type: "Work" }],
      roles: [{ value: "dev", type: "department-role" }],
    });
    expect(reply.status).toBe(201);
    expect(reply.body.emails).toEqual([{ value: "canonical@example.com", type: "work" }]);
    expect(reply.body.roles).toEqual([{ value: "dev", type: "department-role" }]);
  });

  it("11: members[value eq] over groups of which some have no members works, and groups always emit members", async () => {
    expect(
      () =>
        void new Filter('members[value eq "x"]').match([
          { displayName: "a" },
          { displayName: "b", members: [{ value: "x" }] },
        ]),
    ).toThrow();
    const user = await newUser();
    const empty = await newGroup("No Members");
    const full = await newGroup("Has Member", [user]);
    expect((await scim.call("GET", `/Groups/${empty}`)).body.members).toEqual([]);
    const reply = await scim.call("GET", `/Groups?filter=${q(`members[value eq "${user}"]`)}`);
    expect(reply.status).toBe(200);
    expect(pluck(reply.body.Resources, "id")).toEqual([full]);
  });

  it("12: filters and attributes on extension attributes work", async () => {
    expect(
      new Filter(`${ENTERPRISE_URN}:employeeNumber eq "42"`).match([
        { [ENTERPRISE_URN]: { employeeNumber: "42" } },
      ]),
    ).toHaveLength(0);
    const id = await newUser({ [ENTERPRISE_URN]: { employeeNumber: "4242" } });
    const filtered = await scim.call(
      "GET",
      `/Users?filter=${q(`${ENTERPRISE_URN}:employeeNumber eq "4242"`)}`,
    );
    expect(pluck(filtered.body.Resources, "id")).toEqual([id]);
    const projected = await scim.call("GET", `/Users/${id}?attributes=${ENTERPRISE_URN}:employeeNumber`);
    expect(projected.status).toBe(200);
    expect(projected.body[ENTERPRISE_URN]).toEqual({ employeeNumber: "4242" });
  });

  it("13: /Schemas lists the meta-schemas, and writes to discovery endpoints get 405", async () => {
    const schemas = await scim.call("GET", "/Schemas");
    expect(pluck(schemas.body.Resources, "id")).toContain("urn:ietf:params:scim:schemas:core:2.0:Schema");
    expect((await scim.call("POST", "/Schemas", {})).status).toBe(405);
    expect((await scim.call("DELETE", "/ResourceTypes/User")).status).toBe(405);
  });

  it("14: truncated filters are 400; an unquoted value with @ is read as a string", async () => {
    expect(new Filter("userName eq").match([{ userName: "a" }])).toEqual([]);
    for (const bad of ["userName eq", 'userName eq "x" and']) {
      const reply = await scim.call("GET", `/Users?filter=${q(bad)}`);
      expect(reply.status, bad).toBe(400);
      expect(reply.body.scimType).toBe("invalidFilter");
    }
    const id = await newUser();
    const reply = await scim.call("GET", `/Users?filter=${q(`userName eq defect.${counter}@example.com`)}`);
    expect(pluck(reply.body.Resources, "id")).toEqual([id]);
  });

  it("15: resources projected with attributes keep their schemas", async () => {
    const id = await newUser();
    expect((await scim.call("GET", `/Users/${id}?attributes=userName`)).body).toEqual({
      schemas: [USER_URN],
      id,
      userName: `defect.${counter}@example.com`,
    });
    const list = await scim.call("GET", "/Users?attributes=userName&count=1");
    expect(list.body.Resources[0].schemas).toEqual([USER_URN]);
  });

  it("16: malformed JSON gets a 400 as application/scim+json", async () => {
    const reply = await scim.call("POST", "/Users", "{not json");
    expect(reply.status).toBe(400);
    expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(reply.body).toMatchObject({ schemas: [ERROR_URN], scimType: "invalidSyntax" });
  });

  it("17: replace without a value is refused", async () => {
    expect(
      await scimmyPatch({ id: "1", userName: "a", title: "t" }, [{ op: "replace", path: "title" }]),
    ).not.toHaveProperty("title");
    const id = await newUser({ title: "Keep" });
    const reply = await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "replace", path: "title" }));
    expect(reply.status).toBe(400);
    expect((await scim.call("GET", `/Users/${id}`)).body.title).toBe("Keep");
  });

  it("18: concurrent group PATCHes never lose a member (read-modify-write inside the ledger's serialised update)", async () => {
    const group = await newGroup("Concurrent Adds");
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    await Promise.all(
      users.map((user) =>
        scim.call(
          "PATCH",
          `/Groups/${group}`,
          patchOf({ op: "add", path: "members", value: [{ value: user }] }),
        ),
      ),
    );
    const members = pluck((await scim.call("GET", `/Groups/${group}`)).body.members, "value") as string[];
    expect(members.sort()).toEqual(users.sort());
  });

  it("19: 201 Created carries a Location header equal to meta.location", async () => {
    const user = await scim.call("POST", "/Users", oktaUser("located@example.com"));
    expect(user.headers.get("location")).toBe(`${scim.root}/Users/${user.body.id}`);
    expect(user.body.meta.location).toBe(user.headers.get("location"));
    const group = await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Located" });
    expect(group.headers.get("location")).toBe(group.body.meta.location);
  });

  it("20: (A or B) and not (B) means what it says", async () => {
    const users = [{ userName: "a" }, { userName: "b" }];
    expect(
      new Filter('(userName eq "a" or userName eq "b") and not (userName eq "b")').match(users),
    ).toHaveLength(2);
    const a = await newUser();
    const aName = `defect.${counter}@example.com`;
    await newUser();
    const bName = `defect.${counter}@example.com`;
    const reply = await scim.call(
      "GET",
      `/Users?filter=${q(`(userName eq "${aName}" or userName eq "${bName}") and not (userName eq "${bName}")`)}`,
    );
    expect(pluck(reply.body.Resources, "id")).toEqual([a]);
  });

  it("21: a filter starting with `and`, or with `and and`, is 400 invalidFilter (not 500)", async () => {
    expect(() => void new Filter('and userName eq "a"').match([{ userName: "a" }])).toThrow(TypeError);
    for (const bad of ['and userName eq "a"', 'userName eq "a" and and userName eq "b"']) {
      const reply = await scim.call("GET", `/Users?filter=${q(bad)}`);
      expect(reply.status, bad).toBe(400);
      expect(reply.body.scimType).toBe("invalidFilter");
    }
  });

  it("22: replace of a complex attribute with a partial value keeps the other sub-attributes", async () => {
    expect(
      await scimmyPatch({ id: "1", userName: "a", name: { givenName: "G", familyName: "F" } }, [
        { op: "replace", path: "name", value: { familyName: "X" } },
      ]),
    ).toHaveProperty("name", { familyName: "X" });
    const id = await newUser({ name: { givenName: "Keep", familyName: "Old" } });
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: "name", value: { familyName: "New" } }),
    );
    expect(reply.body.name).toEqual({ givenName: "Keep", familyName: "New" });
  });
});
