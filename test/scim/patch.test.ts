/** PATCH semantics (reference §2 checks 32-44) and concurrency on one group. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/errors.js";
import { buildStored } from "../../src/scim/ingest.js";
import { normaliseResource } from "../../src/scim/normalise.js";
import { applyPatch } from "../../src/scim/patch-apply.js";
import { parsePatchRequest } from "../../src/scim/patch-request.js";
import { userSchema } from "../../src/scim/schemas.js";
import { ENTERPRISE_URN, GROUP_URN, PATCH_URN, USER_URN, patchOf, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();

let counter = 0;
async function user(extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await scim.call("POST", "/Users", {
    schemas: [USER_URN],
    userName: `patch.${++counter}@example.com`,
    name: { givenName: "Given", familyName: "Family" },
    emails: [{ value: `patch.${counter}@example.com`, type: "work", primary: true }],
    ...extra,
  });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

async function get(id: string): Promise<Record<string, unknown>> {
  return (await scim.call("GET", `/Users/${id}`)).body as Record<string, unknown>;
}

describe("PATCH on users", () => {
  it("add / replace / remove on simple, complex and extension attributes are visible on re-GET", async () => {
    const id = await user();
    await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf(
        { op: "add", path: "title", value: "Engineer" },
        { op: "add", path: "name.middleName", value: "M" },
        { op: "add", path: ENTERPRISE_URN, value: { department: "R&D", costCenter: "42" } },
      ),
    );
    expect(await get(id)).toMatchObject({
      title: "Engineer",
      name: { givenName: "Given", middleName: "M" },
      [ENTERPRISE_URN]: { department: "R&D", costCenter: "42" },
    });
    await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "remove", path: "title" }, { op: "remove", path: `${ENTERPRISE_URN}:costCenter` }),
    );
    const after = await get(id);
    expect(after.title).toBeUndefined();
    expect(after[ENTERPRISE_URN]).toEqual({ department: "R&D" });
  });

  it("a partial complex replace keeps the other sub-attributes", async () => {
    const id = await user();
    await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: "name", value: { familyName: "Other" } }),
    );
    expect((await get(id)).name).toEqual({ givenName: "Given", familyName: "Other" });
  });

  it("a pathless replace of a multi-valued attribute replaces it instead of appending", async () => {
    const id = await user();
    await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", value: { emails: [{ value: "only@example.com", type: "work" }] } }),
    );
    expect((await get(id)).emails).toEqual([{ value: "only@example.com", type: "work" }]);
  });

  it("remove without a path is 400 noTarget; replace/add without a value is 400", async () => {
    const id = await user();
    const remove = await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "remove" }));
    expect(remove.status).toBe(400);
    expect(remove.body.scimType).toBe("noTarget");
    const replace = await scim.call("PATCH", `/Users/${id}`, patchOf({ op: "replace", path: "title" }));
    expect(replace.status).toBe(400);
    expect(replace.body.scimType).toBe("invalidValue");
    const bogus = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "frobnicate", path: "title", value: "x" }),
    );
    expect(bogus.status).toBe(400);
    const badPath = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "add", path: "noSuchAttribute", value: "x" }),
    );
    expect(badPath.body.scimType).toBe("invalidPath");
    const readOnly = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: "id", value: "mine" }),
    );
    expect(readOnly.body.scimType).toBe("mutability");
  });

  it("PATCH on an unknown id is 404; a failing op leaves the resource untouched", async () => {
    expect(
      (
        await scim.call(
          "PATCH",
          "/Users/does-not-exist",
          patchOf({ op: "replace", path: "title", value: "x" }),
        )
      ).status,
    ).toBe(404);
    const id = await user({ title: "Before" });
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: "title", value: "After" }, { op: "remove" }),
    );
    expect(reply.status).toBe(400);
    expect((await get(id)).title).toBe("Before");
  });

  it("a userName change that clashes (any case) is refused with 409 and changes nothing", async () => {
    const first = await user();
    const second = await user();
    const taken = ((await get(first)).userName as string).toUpperCase();
    const reply = await scim.call(
      "PATCH",
      `/Users/${second}`,
      patchOf({ op: "replace", path: "userName", value: taken }),
    );
    expect(reply.status).toBe(409);
    expect(reply.body.scimType).toBe("uniqueness");
    expect((await get(second)).userName).toBe(`patch.${counter}@example.com`);
  });
});

describe("PATCH on groups", () => {
  it("several member ops in one request; re-adding a member changes nothing", async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const group = (await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Ops" })).body
      .id as string;
    const reply = await scim.call(
      "PATCH",
      `/Groups/${group}`,
      patchOf(
        { op: "add", path: "members", value: [{ value: a }, { value: b }] },
        { op: "remove", path: `members[value eq "${a}"]` },
        { op: "add", path: "members", value: [{ value: c, display: "C" }] },
      ),
    );
    expect(reply.status).toBe(204);
    await scim.call(
      "PATCH",
      `/Groups/${group}`,
      patchOf({ op: "add", path: "members", value: [{ value: b }] }),
    );
    const members = (await scim.call("GET", `/Groups/${group}`)).body.members;
    expect(members).toEqual([{ value: b }, { value: c, display: "C" }]);
  });

  it("answers 200 with the group when attributes are asked for", async () => {
    const group = (await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Echo" })).body
      .id as string;
    const reply = await scim.call(
      "PATCH",
      `/Groups/${group}?attributes=displayName`,
      patchOf({ op: "replace", path: "displayName", value: "Echoed" }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: group, displayName: "Echoed" });
  });

  it("50 concurrent member-add PATCHes on one group never lose a member", async () => {
    const group = (await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Concurrent" }))
      .body.id as string;
    const members = await Promise.all(Array.from({ length: 50 }, () => user()));
    const replies = await Promise.all(
      members.map((member) =>
        scim.call(
          "PATCH",
          `/Groups/${group}`,
          patchOf({ op: "add", path: "members", value: [{ value: member }] }),
        ),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(members.map(() => 204));
    const stored = pluck((await scim.call("GET", `/Groups/${group}`)).body.members, "value");
    expect([...stored].sort()).toEqual([...members].sort());
  });
});

describe("PATCH robustness", () => {
  it("any operation list either applies or is refused with a 4xx SCIM error, never an unexpected error", () => {
    const paths = fc.constantFrom(
      undefined,
      "title",
      "name",
      "name.givenName",
      "emails",
      'emails[type eq "work"].value',
      'emails[type eq "work"]',
      "emails[value pr]",
      "members",
      "active",
      "id",
      "groups",
      "nosuch",
      `${ENTERPRISE_URN}:manager`,
      `${ENTERPRISE_URN}:manager.value`,
      ENTERPRISE_URN,
      "urn:bogus:x",
      "emails[",
      "a.b.c",
    );
    const values = fc.constantFrom(
      undefined,
      null,
      "",
      "x",
      "False",
      true,
      3,
      [],
      [{ value: "v" }],
      { familyName: "F" },
      { "name.givenName": "G", title: "T" },
      { [`${ENTERPRISE_URN}:employeeNumber`]: "7" },
      [null],
      { value: { nested: 1 } },
    );
    const operation = fc.record({
      op: fc.constantFrom("add", "Replace", "remove", "bogus"),
      path: paths,
      value: values,
    });
    const stored = {
      schemas: [USER_URN],
      id: "u1",
      userName: "u@example.com",
      name: { givenName: "A" },
      emails: [{ value: "u@example.com", type: "work" }],
      meta: {
        resourceType: "User",
        created: "2026-01-01T00:00:00.000Z",
        lastModified: "2026-01-01T00:00:00.000Z",
      },
    };
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 4 }), (operations) => {
        const body = {
          schemas: [PATCH_URN],
          Operations: operations.map((op) =>
            Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined)),
          ),
        };
        try {
          const parsed = parsePatchRequest(body);
          const patched = applyPatch(userSchema, stored, parsed);
          buildStored(
            userSchema,
            normaliseResource(userSchema, patched),
            "u1",
            stored,
            "2026-01-02T00:00:00.000Z",
          );
        } catch (error) {
          if (!(error instanceof ScimError) || error.status >= 500) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
