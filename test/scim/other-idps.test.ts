/** OneLogin and JumpCloud (reference §1): connection probes and their membership shape. */
import { describe, expect, it } from "vitest";
import { GROUP_URN, USER_URN, patchOf, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();

describe("JumpCloud", () => {
  it("connection test: creates a test user and a test group, then deletes both", async () => {
    const user = await scim.call("POST", "/Users", {
      schemas: [USER_URN],
      userName: "jctest@example.com",
      name: { givenName: "JumpCloud", familyName: "Test" },
      emails: [{ value: "jctest@example.com", type: "work", primary: true }],
      active: true,
    });
    expect(user.status).toBe(201);
    const group = await scim.call("POST", "/Groups", {
      schemas: [GROUP_URN],
      displayName: "JumpCloud Test Group",
    });
    expect(group.status).toBe(201);
    expect((await scim.call("DELETE", `/Groups/${group.body.id}`)).status).toBe(204);
    expect((await scim.call("DELETE", `/Users/${user.body.id}`)).status).toBe(204);
    expect((await scim.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("member changes as value:[{value}] without a path filter, then removal by value", async () => {
    const user = (
      await scim.call("POST", "/Users", { schemas: [USER_URN], userName: "jcmember@example.com" })
    ).body;
    const group = (await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "JC Members" }))
      .body;
    await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "add", path: "members", value: [{ value: user.id }] }),
    );
    expect(pluck((await scim.call("GET", `/Groups/${group.id}`)).body.members, "value")).toEqual([user.id]);
    await scim.call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOf({ op: "remove", path: "members", value: [{ value: user.id }] }),
    );
    expect((await scim.call("GET", `/Groups/${group.id}`)).body.members).toEqual([]);
  });
});

describe("OneLogin", () => {
  it("the Enable probe and a template-shaped create (core + enterprise, no groups)", async () => {
    const probe = await scim.call(
      "GET",
      "/Users?filter=" + encodeURIComponent('userName eq "probe@example.com"'),
    );
    expect(probe.status).toBe(200);
    const created = await scim.call("POST", "/Users", {
      schemas: [USER_URN, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      userName: "onelogin.user@example.com",
      name: { givenName: "One", familyName: "Login" },
      emails: [{ value: "onelogin.user@example.com" }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Ops" },
    });
    expect(created.status).toBe(201);
    expect(created.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({
      department: "Ops",
    });
  });
});
