/** Filtering, paging, sorting and projection (reference §2 checks 17-31). */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/errors.js";
import { matchesFilter } from "../../src/scim/filter-match.js";
import { parseFilter } from "../../src/scim/filter-parse.js";
import { userSchema } from "../../src/scim/schemas.js";
import { ENTERPRISE_URN, GROUP_URN, USER_URN, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();
const ids: Record<string, string> = {};

beforeAll(async () => {
  const people = [
    { userName: "alice@example.com", employeeNumber: "100", active: true, title: "Engineer" },
    { userName: "bob@example.org", employeeNumber: "200", active: false, title: "Manager" },
    { userName: "carol@example.com", employeeNumber: "300", active: true },
  ];
  for (const person of people) {
    const reply = await scim.call("POST", "/Users", {
      schemas: [USER_URN, ENTERPRISE_URN],
      userName: person.userName,
      active: person.active,
      ...(person.title === undefined ? {} : { title: person.title }),
      name: { givenName: person.userName.split("@")[0], familyName: "Example" },
      emails: [{ value: person.userName, type: "work", primary: true }],
      [ENTERPRISE_URN]: { employeeNumber: person.employeeNumber },
    });
    ids[person.userName] = reply.body.id as string;
  }
  await scim.call("POST", "/Groups", {
    schemas: [GROUP_URN],
    displayName: "Admins",
    members: [{ value: ids["alice@example.com"] }],
  });
  await scim.call("POST", "/Groups", { schemas: [GROUP_URN], displayName: "Empty" });
});

async function users(filter: string, extra = ""): Promise<string[]> {
  const reply = await scim.call("GET", `/Users?filter=${encodeURIComponent(filter)}${extra}`);
  expect(reply.status, `${filter}: ${reply.text}`).toBe(200);
  return pluck(reply.body.Resources, "userName") as string[];
}

describe("filters", () => {
  it("userName eq is case-insensitive in value, attribute name and operator", async () => {
    expect(await users('userName eq "ALICE@example.com"')).toEqual(["alice@example.com"]);
    expect(await users('USERNAME eq "alice@example.com"')).toEqual(["alice@example.com"]);
    expect(await users('userName EQ "alice@example.com"')).toEqual(["alice@example.com"]);
    expect(await users('userName eq "nobody@example.com"')).toEqual([]);
  });

  it("ne, co, sw, ew and pr work on userName", async () => {
    expect(await users('userName ne "alice@example.com"')).toEqual(["bob@example.org", "carol@example.com"]);
    expect(await users('userName co "ROL"')).toEqual(["carol@example.com"]);
    expect(await users('userName sw "b"')).toEqual(["bob@example.org"]);
    expect(await users('userName ew ".com"')).toEqual(["alice@example.com", "carol@example.com"]);
    expect(await users("title pr")).toEqual(["alice@example.com", "bob@example.org"]);
  });

  it("filters on enterprise attributes, fully qualified", async () => {
    expect(await users(`${ENTERPRISE_URN}:employeeNumber eq "200"`)).toEqual(["bob@example.org"]);
    expect(await users(`${ENTERPRISE_URN}:employeeNumber gt "150"`)).toEqual([
      "bob@example.org",
      "carol@example.com",
    ]);
    expect(await users(`${ENTERPRISE_URN}:employeeNumber sw "3"`)).toEqual(["carol@example.com"]);
    expect(await users(`${ENTERPRISE_URN}:employeeNumber pr`)).toHaveLength(3);
  });

  it("and / or / not with correct precedence, booleans as strings, and emails.type", async () => {
    expect(await users('userName sw "a" or userName sw "b" and active eq true')).toEqual([
      "alice@example.com",
    ]);
    expect(await users('(userName sw "a" or userName sw "b") and not (userName sw "b")')).toEqual([
      "alice@example.com",
    ]);
    expect(await users('active eq "False"')).toEqual(["bob@example.org"]);
    expect(await users('emails.type eq "work" and userName ew "org"')).toEqual(["bob@example.org"]);
  });

  it("rejects invalid filters with 400 invalidFilter", async () => {
    for (const bad of [
      "userName eq",
      'userName eq "a" and',
      'and userName eq "a"',
      'userName eq "a" and and title pr',
      "(userName pr",
      'userName zz "a"',
      'nosuch eq "x"',
    ]) {
      const reply = await scim.call("GET", `/Users?filter=${encodeURIComponent(bad)}`);
      expect(reply.status, bad).toBe(400);
      expect(reply.body.scimType, bad).toBe("invalidFilter");
    }
  });

  it("groups: displayName eq case-insensitive, members[value eq] across groups without members", async () => {
    const byName = await scim.call(
      "GET",
      `/Groups?filter=${encodeURIComponent('displayName eq "ADMINS"')}&excludedAttributes=members`,
    );
    expect(pluck(byName.body.Resources, "displayName")).toEqual(["Admins"]);
    const byMember = await scim.call(
      "GET",
      `/Groups?filter=${encodeURIComponent(`members[value eq "${ids["alice@example.com"]}"]`)}`,
    );
    expect(byMember.status).toBe(200);
    expect(pluck(byMember.body.Resources, "displayName")).toEqual(["Admins"]);
  });
});

describe("indexed lookups", () => {
  it("externalId and email lookups follow PUT, PATCH and DELETE", async () => {
    const created = await scim.call("POST", "/Users", {
      schemas: [USER_URN],
      userName: "moving@example.com",
      externalId: "ext-1",
      emails: [{ value: "Old.Mail@example.com", type: "work" }],
    });
    const id = created.body.id as string;
    expect(await users('externalId eq "ext-1"')).toEqual(["moving@example.com"]);
    expect(await users('emails[type eq "work"].value eq "old.mail@EXAMPLE.com"')).toEqual([
      "moving@example.com",
    ]);
    expect(await users('externalId eq "EXT-1"')).toEqual([]);

    await scim.call("PUT", `/Users/${id}`, {
      schemas: [USER_URN],
      userName: "moving@example.com",
      externalId: "ext-2",
      emails: [{ value: "new.mail@example.com", type: "work" }],
    });
    expect(await users('externalId eq "ext-1"')).toEqual([]);
    expect(await users("externalId eq ext-2")).toEqual(["moving@example.com"]);
    expect(await users('emails.value eq "old.mail@example.com"')).toEqual([]);
    expect(await users('emails.value eq "new.mail@example.com" and active pr')).toEqual([]);
    expect(await users('emails.value eq "new.mail@example.com"')).toEqual(["moving@example.com"]);
    expect(await users('emails[type eq "home"].value eq "new.mail@example.com"')).toEqual([]);

    await scim.call("DELETE", `/Users/${id}`);
    expect(await users('externalId eq "ext-2"')).toEqual([]);
  });
});

describe("paging, sorting and projection", () => {
  it("count=0 gives only totals, startIndex<1 is 1, negative count is 0", async () => {
    const zero = await scim.call("GET", "/Users?count=0");
    expect(zero.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const low = await scim.call("GET", "/Users?startIndex=-4&count=2");
    expect(low.body.startIndex).toBe(1);
    expect(low.body.Resources).toHaveLength(2);
    expect((await scim.call("GET", "/Users?count=-1")).body.Resources).toEqual([]);
  });

  it("sortBy sorts ascending and descending", async () => {
    expect(await users("userName pr", "&sortBy=userName&sortOrder=descending")).toEqual([
      "carol@example.com",
      "bob@example.org",
      "alice@example.com",
    ]);
    const byId = await scim.call("GET", "/Users?sortBy=id&sortOrder=ascending");
    const sortedIds = pluck(byId.body.Resources, "id") as string[];
    expect(sortedIds).toEqual([...sortedIds].sort());
  });

  it("attributes and excludedAttributes on GET by id, list and .search, extension URNs included", async () => {
    const id = ids["alice@example.com"]!;
    const picked = await scim.call("GET", `/Users/${id}?attributes=userName,name.givenName`);
    expect(picked.body).toEqual({
      schemas: [USER_URN, ENTERPRISE_URN],
      id,
      userName: "alice@example.com",
      name: { givenName: "alice" },
    });
    const listed = await scim.call("GET", `/Users?attributes=${ENTERPRISE_URN}:employeeNumber&count=1`);
    expect(listed.status).toBe(200);
    expect(listed.body.Resources[0]).toEqual({
      schemas: [USER_URN, ENTERPRISE_URN],
      id,
      [ENTERPRISE_URN]: { employeeNumber: "100" },
    });
    const bare = await scim.call("GET", `/Users/${id}?excludedAttributes=id,schemas,userName,meta`);
    expect(bare.body).toMatchObject({ id, schemas: [USER_URN, ENTERPRISE_URN] });
    expect(bare.body).not.toHaveProperty("userName");
    const excluded = await scim.call("GET", `/Users/${id}?excludedAttributes=emails`);
    expect(excluded.body.emails).toBeUndefined();
    expect(excluded.body.userName).toBe("alice@example.com");
    const searched = await scim.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: 'userName eq "alice@example.com"',
      attributes: ["userName"],
      startIndex: 1,
      count: 10,
    });
    expect(searched.status).toBe(200);
    expect(searched.body.Resources).toEqual([
      { schemas: [USER_URN, ENTERPRISE_URN], id, userName: "alice@example.com" },
    ]);
  });
});

describe("filter parser robustness", () => {
  it("any filter text either parses or is a 400 invalidFilter, never an unexpected error", () => {
    const pieces = fc.constantFrom(
      "userName",
      "emails",
      "[",
      "]",
      "(",
      ")",
      "type",
      "value",
      ".value",
      "eq",
      "EQ",
      "pr",
      "and",
      "or",
      "not",
      '"x"',
      "true",
      "42",
      "active",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
      "\\",
      '"',
    );
    const user = { id: "1", userName: "x", active: true, emails: [{ value: "x", type: "work" }] };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(" ")),
        ),
        (text) => {
          try {
            matchesFilter(parseFilter(userSchema, text), user);
          } catch (error) {
            if (!(error instanceof ScimError) || error.status !== 400) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
