/**
 * Malformed filters and PATCH paths over real HTTP (issue 9): every one is a 400 SCIM error naming what to
 * fix, never a 5xx, however long or deeply nested.
 */
import { describe, expect, it } from "vitest";
import { ERROR_URN, GROUP_URN, USER_URN, patchOf } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();

async function filterUsers(filter: string) {
  return scim.call("GET", `/Users?filter=${encodeURIComponent(filter)}`);
}

function expectRefusal(reply: { status: number; body: unknown; text: string }, scimType: string): void {
  expect(reply.status, reply.text.slice(0, 300)).toBe(400);
  expect(reply.body).toMatchObject({ schemas: [ERROR_URN], status: "400", scimType });
}

let counter = 0;
async function newUser(): Promise<string> {
  const reply = await scim.call("POST", "/Users", {
    schemas: [USER_URN],
    userName: `malformed.${++counter}@example.com`,
  });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

describe("deeply nested and very long filters", () => {
  it("a 3,000-character run of '(' is 400 invalidFilter, not 500", async () => {
    expectRefusal(await filterUsers("(".repeat(3000)), "invalidFilter");
  });

  it("balanced nesting deeper than the bound is refused, nesting within it is answered", async () => {
    const nested = (depth: number) => `${"(".repeat(depth)}userName pr${")".repeat(depth)}`;
    const refused = await filterUsers(nested(1500));
    expectRefusal(refused, "invalidFilter");
    expect(refused.body.detail).toMatch(/nest/i);
    expect((await filterUsers(nested(30))).status).toBe(200);
    expectRefusal(await filterUsers(`${"not (".repeat(40)}userName pr${")".repeat(40)}`), "invalidFilter");
  });

  it("a filter longer than the bound is refused with a detail saying so, through GET and .search", async () => {
    const long = Array.from({ length: 400 }, (_, i) => `userName eq "user${i}@example.com"`).join(" or ");
    const viaGet = await filterUsers(long.slice(0, 9000));
    expectRefusal(viaGet, "invalidFilter");
    expect(viaGet.body.detail).toMatch(/long/i);
    const viaSearch = await scim.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: long,
    });
    expectRefusal(viaSearch, "invalidFilter");
  });

  it("a filter just inside the length bound is answered, even as one long or-chain", async () => {
    await newUser();
    const terms: string[] = [];
    while ([...terms, "id pr"].join(" or ").length <= 8192) terms.push("id pr");
    const reply = await scim.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: terms.join(" or "),
      count: 1,
    });
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    expect(reply.body.totalResults).toBeGreaterThan(0);
  });

  it("groups refuse the same filters", async () => {
    const reply = await scim.call("GET", `/Groups?filter=${encodeURIComponent("(".repeat(3000))}`);
    expectRefusal(reply, "invalidFilter");
  });
});

describe("deeply nested and very long PATCH paths", () => {
  it("a value filter nested 3,000 deep in a PATCH path is 400, not 500, and changes nothing", async () => {
    const id = await newUser();
    const before = (await scim.call("GET", `/Users/${id}`)).body as Record<string, unknown>;
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "add", path: `emails[${"(".repeat(3000)}type eq "work"]`, value: "x@example.com" }),
    );
    expectRefusal(reply, "invalidFilter");
    expect((await scim.call("GET", `/Users/${id}`)).body).toEqual(before);
  });

  it("a path longer than the bound is 400 invalidPath", async () => {
    const id = await newUser();
    const reply = await scim.call(
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "replace", path: `emails[value eq "${"a".repeat(9000)}"].type`, value: "work" }),
    );
    expectRefusal(reply, "invalidPath");
    expect(reply.body.detail).toMatch(/long/i);
  });

  it("an unbalanced member filter on a group is 400 invalidPath", async () => {
    const group = await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Malformed" });
    const reply = await scim.call(
      "PATCH",
      `/Groups/${group.body.id as string}`,
      patchOf({ op: "remove", path: 'members[value eq "x"' }),
    );
    expectRefusal(reply, "invalidPath");
  });
});
