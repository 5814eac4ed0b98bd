/** Microsoft Entra ID's provisioning requests (reference §1, Entra), with and without aadOptscim062020. */
import { describe, expect, it } from "vitest";
import { ENTERPRISE_URN, GROUP_URN, USER_URN, patchOf, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const ADSCIM = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
const MISSPELLED = "urn:ietf:params:scim:schemas:extension:enterprise:2.0User";

const scim = shareScim();

function entraUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: userName.split("@")[0],
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: userName }],
    meta: { resourceType: "User" },
    name: { formatted: "Given Family", familyName: "Family", givenName: "Given" },
    roles: [],
    ...extra,
  };
}

async function create(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await scim.call("POST", "/Users", entraUser(userName, extra));
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

function filter(text: string): string {
  return encodeURIComponent(text);
}

describe("Entra user provisioning", () => {
  it("Test Connection: a random GUID filter gives 200 with an empty ListResponse", async () => {
    const reply = await scim.call(
      "GET",
      `/Users?filter=${filter('userName eq "5b3b5ae4-2b61-4bd7-9a7e-2c4f9cd2b0c1"')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("creates a user sent with nulls (multi-valued too) and the misspelled enterprise URN", async () => {
    const reply = await scim.call("POST", "/Users", {
      ...entraUser("null.sender@contoso.com"),
      schemas: [USER_URN, MISSPELLED],
      addresses: null,
      phoneNumbers: null,
      title: null,
      [MISSPELLED]: { employeeNumber: "701984", manager: null, department: null },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.schemas).toEqual([USER_URN, ENTERPRISE_URN]);
    expect(reply.body[ENTERPRISE_URN]).toEqual({ employeeNumber: "701984" });
    expect(reply.body.addresses).toBeUndefined();
    expect(reply.body.title).toBeUndefined();
  });

  it('matches by externalId unquoted and by emails[type eq "work"].value', async () => {
    const id = await create("jyoung@contoso.com");
    const byExternal = await scim.call("GET", `/Users?filter=${filter("externalId eq jyoung")}`);
    expect(pluck(byExternal.body.Resources, "id")).toEqual([id]);
    const byEmail = await scim.call(
      "GET",
      `/Users?filter=${filter('emails[type eq "work"].value eq "JYoung@contoso.com"')}`,
    );
    expect(pluck(byEmail.body.Resources, "id")).toEqual([id]);
  });

  it("applies capitalised ops on filtered, dotted and URN paths, creating entries that do not exist yet", async () => {
    const id = await create("patch.target@contoso.com");
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf(
        { op: "Replace", path: 'emails[type eq "work"].value', value: "new.mail@contoso.com" },
        { op: "Replace", path: "name.familyName", value: "Newfamily" },
        { op: "Add", path: 'addresses[type eq "work"].streetAddress', value: "1 Main St" },
        { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" },
        { op: "Replace", path: `${ENTERPRISE_URN}:employeeNumber`, value: "42" },
      ),
    );
    expect(reply.status).toBe(200);
    const user = (await scim.call("GET", `/Users/${id}`)).body;
    expect(user.emails).toEqual([{ primary: true, type: "work", value: "new.mail@contoso.com" }]);
    expect(user.name).toEqual({ formatted: "Given Family", familyName: "Newfamily", givenName: "Given" });
    expect(user.addresses).toEqual([{ type: "work", streetAddress: "1 Main St" }]);
    expect(user.phoneNumbers).toEqual([{ type: "mobile", value: "+1 555 0100" }]);
    expect(user[ENTERPRISE_URN]).toEqual({ employeeNumber: "42" });
    expect(user.schemas).toContain(ENTERPRISE_URN);
  });

  it('disables with a string "False" and re-enables with "True"', async () => {
    const id = await create("disable.me@contoso.com");
    const off = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "Replace", path: "active", value: "False" }),
    );
    expect(off.status).toBe(200);
    expect((await scim.call("GET", `/Users/${id}`)).body.active).toBe(false);
    await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "Replace", path: "active", value: "True" }));
    expect((await scim.call("GET", `/Users/${id}`)).body.active).toBe(true);
  });

  it("sets, changes and removes the manager sent as a bare id", async () => {
    const boss = await create("boss@contoso.com");
    const other = await create("other.boss@contoso.com");
    const id = await create("report@contoso.com");
    const path = `${ENTERPRISE_URN}:manager`;
    expect((await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "Add", path, value: boss }))).status).toBe(
      200,
    );
    expect((await scim.call("GET", `/Users/${id}`)).body[ENTERPRISE_URN].manager).toEqual({ value: boss });
    await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "Replace", path, value: other }));
    expect((await scim.call("GET", `/Users/${id}`)).body[ENTERPRISE_URN].manager).toEqual({ value: other });
    await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "Remove", path }));
    const after = (await scim.call("GET", `/Users/${id}`)).body;
    expect(after[ENTERPRISE_URN]).toBeUndefined();
    expect(after.schemas).toEqual([USER_URN]);
  });

  it("clears attributes patched to null and to an empty string (SCIM_Null_Update_Test)", async () => {
    const id = await create("nulls@contoso.com", { title: "Engineer", nickName: "Nick" });
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "Replace", path: "title", value: null }, { op: "Replace", path: "nickName", value: "" }),
    );
    expect([200, 204]).toContain(reply.status);
    const user = (await scim.call("GET", `/Users/${id}`)).body;
    expect(user.title).toBeUndefined();
    expect(user.nickName).toBeUndefined();
  });

  it("aadOptscim062020: pathless replace with dotted and URN keys, boolean false", async () => {
    const id = await create("compliant@contoso.com");
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({
        op: "replace",
        value: {
          displayName: "Compliant Person",
          "name.givenName": "Compliant",
          [`${ENTERPRISE_URN}:employeeNumber`]: "1001",
          active: false,
        },
      }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      displayName: "Compliant Person",
      name: { givenName: "Compliant", familyName: "Family" },
      active: false,
      [ENTERPRISE_URN]: { employeeNumber: "1001" },
    });
  });

  it("hard-deletes with DELETE → 204, then 404, and the user leaves its groups", async () => {
    const id = await create("purged@contoso.com");
    const group = (
      await scim.call("POST", "/Groups", {
        schemas: [GROUP_URN],
        displayName: "Purge Test",
        members: [{ value: id }],
      })
    ).body;
    expect((await scim.call("DELETE", `/Users/${id}`)).status).toBe(204);
    expect((await scim.call("GET", `/Users/${id}`)).status).toBe(404);
    expect((await scim.call("GET", `/Groups/${group.id}`)).body.members).toEqual([]);
  });
});

describe("Entra group provisioning", () => {
  it("creates with the ADSCIM schema, looks up by displayName without members, patches members with 204", async () => {
    const a = await create("member.a@contoso.com");
    const b = await create("member.b@contoso.com");
    const created = await scim.call("POST", "/Groups", {
      schemas: [GROUP_URN, ADSCIM],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "Sales Team",
    });
    expect(created.status).toBe(201);
    expect(created.body.schemas).toEqual([GROUP_URN]);
    expect(created.body.members).toEqual([]);
    const id = created.body.id as string;

    const lookup = await scim.call(
      "GET",
      `/Groups?excludedAttributes=members&filter=${filter('displayName eq "sales team"')}`,
    );
    expect(lookup.body.totalResults).toBe(1);
    expect(lookup.body.Resources[0]).toMatchObject({ id, displayName: "Sales Team" });
    expect(lookup.body.Resources[0]).not.toHaveProperty("members");
    const single = await scim.call("GET", `/Groups/${id}?excludedAttributes=members`);
    expect(single.body).not.toHaveProperty("members");

    const add = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf({
        op: "Add",
        path: "members",
        value: [
          { $ref: null, value: a },
          { $ref: null, value: b },
        ],
      }),
    );
    expect(add.status).toBe(204);
    expect(add.text).toBe("");
    expect(pluck((await scim.call("GET", `/Groups/${id}`)).body.members, "value")).toEqual([a, b]);

    const remove = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf({ op: "Remove", path: "members", value: [{ $ref: null, value: a }] }),
    );
    expect(remove.status).toBe(204);
    expect(pluck((await scim.call("GET", `/Groups/${id}`)).body.members, "value")).toEqual([b]);

    expect((await scim.call("DELETE", `/Groups/${id}`)).status).toBe(204);
  });
});
