/** Okta's provisioning sequences and its SPEC test (reference §1, Okta), over real HTTP. */
import { describe, expect, it } from "vitest";
import {
  ERROR_URN,
  GROUP_URN,
  USER_URN,
  oktaUser,
  patchOf,
  pluck,
  startScim,
} from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();

describe("Okta user assignment", () => {
  it("looks up by filter, finds nothing, creates with 201 + Location, then finds it in any case", async () => {
    const lookup = await scim.call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "ada.lovelace@example.com"')}&startIndex=1&count=100`,
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ totalResults: 0, startIndex: 1, Resources: [] });

    const created = await scim.call("POST", "/Users", oktaUser("ada.lovelace@example.com"));
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toContain("application/scim+json");
    expect(created.body.id).toMatch(/\S+/);
    expect(created.body.schemas).toContain(USER_URN);
    expect(created.body).toMatchObject({
      userName: "ada.lovelace@example.com",
      active: true,
      name: { givenName: "ada" },
    });
    expect(created.body.password).toBeUndefined();
    expect(created.headers.get("location")).toBe(`${scim.root}/Users/${created.body.id}`);
    expect(created.body.meta.location).toBe(created.headers.get("location"));

    const upper = await scim.call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "ADA.LOVELACE@EXAMPLE.COM"')}`,
    );
    expect(upper.status).toBe(200);
    expect(upper.body.totalResults).toBe(1);
    expect(upper.body.Resources[0].id).toBe(created.body.id);
  });

  it("never stores the password Okta sends", async () => {
    const created = await scim.call(
      "POST",
      "/Users",
      oktaUser("pw.holder@example.com", { password: "s3cr3t-P@ss" }),
    );
    const stored = scim.ledger.get("User", created.body.id as string);
    expect(JSON.stringify(stored)).not.toContain("s3cr3t-P@ss");
    const fetched = await scim.call("GET", `/Users/${created.body.id}`);
    expect(fetched.text).not.toContain("s3cr3t-P@ss");
  });

  it("answers a duplicate userName in another case with 409 uniqueness (which stops Okta's job)", async () => {
    await scim.call("POST", "/Users", oktaUser("dup.user@example.com"));
    const again = await scim.call("POST", "/Users", oktaUser("DUP.User@Example.com"));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR_URN], status: "409", scimType: "uniqueness" });
  });

  it("updates with GET then PUT of the whole object", async () => {
    const created = await scim.call("POST", "/Users", oktaUser("grace.hopper@example.com"));
    const got = await scim.call("GET", `/Users/${created.body.id}`);
    const put = await scim.call("PUT", `/Users/${created.body.id}`, {
      ...got.body,
      name: { givenName: "Grace", familyName: "Hopper" },
      title: "Rear Admiral",
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: { givenName: "Grace", familyName: "Hopper" },
      title: "Rear Admiral",
    });
    expect(put.body.meta.created).toBe(created.body.meta.created);
    expect((await scim.call("PUT", "/Users/no-such-id", got.body)).status).toBe(404);
  });

  it("deactivates with PATCH active:false and still returns the user, by GET and by filter", async () => {
    const created = await scim.call("POST", "/Users", oktaUser("leaver@example.com"));
    const patched = await scim.call(
      "PATCH",
      `/Users/${created.body.id}`,
      patchOf({ op: "replace", value: { active: false } }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);
    expect((await scim.call("GET", `/Users/${created.body.id}`)).body.active).toBe(false);
    const filtered = await scim.call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "leaver@example.com"')}`,
    );
    expect(filtered.body.Resources[0].active).toBe(false);
  });
});

describe("Okta import paging", () => {
  it("pages count=100 over more than 100 users in a stable order; past the end is empty", async () => {
    const fresh = await startScim();
    try {
      for (let i = 0; i < 230; i++) {
        const reply = await fresh.call("POST", "/Users", oktaUser(`import.${i}@example.com`));
        expect(reply.status).toBe(201);
      }
      const seen: string[] = [];
      for (let start = 1; start <= 201; start += 100) {
        const page = await fresh.call("GET", `/Users?startIndex=${start}&count=100`);
        expect(page.status).toBe(200);
        expect(page.body.totalResults).toBe(230);
        expect(page.body.startIndex).toBe(start);
        expect(typeof page.body.itemsPerPage).toBe("number");
        seen.push(...(pluck(page.body.Resources, "userName") as string[]));
      }
      expect(seen).toHaveLength(230);
      expect(new Set(seen).size).toBe(230);
      expect(seen[0]).toBe("import.0@example.com");
      expect(seen[229]).toBe("import.229@example.com");
      const again = await fresh.call("GET", "/Users?startIndex=101&count=100");
      expect(pluck(again.body.Resources, "userName")).toEqual(seen.slice(100, 200));
      const beyond = await fresh.call("GET", "/Users?startIndex=301&count=100");
      expect(beyond.body).toMatchObject({
        totalResults: 230,
        startIndex: 301,
        itemsPerPage: 0,
        Resources: [],
      });
    } finally {
      await fresh.close();
    }
  });
});

describe("Okta group push", () => {
  it("creates, renames, adds/removes/replaces members, answers 204, and deletes", async () => {
    const alice = (await scim.call("POST", "/Users", oktaUser("alice.push@example.com"))).body;
    const bob = (await scim.call("POST", "/Users", oktaUser("bob.push@example.com"))).body;
    const created = await scim.call("POST", "/Groups", {
      schemas: [GROUP_URN],
      displayName: "Engineering",
      members: [],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: "Engineering", members: [] });
    expect(created.headers.get("location")).toBe(`${scim.root}/Groups/${created.body.id}`);
    const id = created.body.id as string;

    const rename = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf({ op: "replace", value: { id, displayName: "Engineering EU" } }),
    );
    expect(rename.status).toBe(204);

    const add = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf(
        { op: "add", path: "members", value: [{ value: alice.id, display: "alice.push@example.com" }] },
        { op: "add", path: "members", value: [{ value: bob.id, display: "bob.push@example.com" }] },
      ),
    );
    expect(add.status).toBe(204);
    let group = (await scim.call("GET", `/Groups/${id}`)).body;
    expect(group.displayName).toBe("Engineering EU");
    expect(group.members).toEqual([
      { value: alice.id, display: "alice.push@example.com" },
      { value: bob.id, display: "bob.push@example.com" },
    ]);
    const aliceNow = (await scim.call("GET", `/Users/${alice.id}`)).body;
    expect(aliceNow.groups).toEqual([
      expect.objectContaining({ value: id, display: "Engineering EU", type: "direct" }),
    ]);

    const remove = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf({ op: "remove", path: `members[value eq "${alice.id}"]` }),
    );
    expect(remove.status).toBe(204);
    group = (await scim.call("GET", `/Groups/${id}`)).body;
    expect(pluck(group.members, "value")).toEqual([bob.id]);
    expect((await scim.call("GET", `/Users/${alice.id}`)).body.groups).toBeUndefined();

    const replace = await scim.call(
      "PATCH",
      `/Groups/${id}`,
      patchOf({ op: "replace", path: "members", value: [{ value: alice.id }] }),
    );
    expect(replace.status).toBe(204);
    group = (await scim.call("GET", `/Groups/${id}`)).body;
    expect(group.members).toEqual([{ value: alice.id }]);

    expect((await scim.call("DELETE", `/Groups/${id}`)).status).toBe(204);
    expect((await scim.call("GET", `/Groups/${id}`)).status).toBe(404);
    expect((await scim.call("DELETE", `/Groups/${id}`)).status).toBe(404);
  });

  it("refuses a second group with the same displayName in another case (409)", async () => {
    await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Platform" });
    const again = await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "PLATFORM" });
    expect(again.status).toBe(409);
    expect(again.body.scimType).toBe("uniqueness");
  });
});

describe("Okta SPEC test", () => {
  it("S1-S12: list count=1, get, random filters, 404 shapes, GET /Groups under 600 ms, 401", async () => {
    const s1 = await scim.call("GET", "/Users?count=1&startIndex=1");
    expect(s1.status).toBe(200);
    expect(s1.body.itemsPerPage).toBe(1);
    const first = s1.body.Resources[0];
    expect(first).toMatchObject({
      id: expect.any(String),
      userName: expect.any(String),
      active: expect.any(Boolean),
    });
    expect(first.emails[0].value).toEqual(expect.any(String));
    expect((await scim.call("GET", `/Users/${first.id}`)).status).toBe(200);

    const random = await scim.call(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "random-3b2c@example.com"')}`,
    );
    expect(random.body.totalResults).toBe(0);

    for (const id of ["010101010101010101", "00919288221112222"]) {
      const missing = await scim.call("GET", `/Users/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ schemas: [ERROR_URN], status: "404", detail: expect.any(String) });
    }

    const started = performance.now();
    const groups = await scim.call("GET", "/Groups");
    expect(groups.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(600);

    const unauthorised = await scim.call("GET", "/Users", undefined, { Authorization: "non-token" });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.body).toMatchObject({ status: "401", detail: expect.any(String) });
  });
});
