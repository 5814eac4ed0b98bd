/**
 * Fuzzing the filter and PATCH path parsers (issue 9) at two levels: the parser functions directly (many
 * runs) and the real handler over HTTP (fewer). Valid input from a small grammar must be accepted;
 * near-misses of it must be refused with 400 and the right scimType; anything at all must never be a 5xx.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ScimError } from "../../src/scim/errors.js";
import { matchesFilter } from "../../src/scim/filter-match.js";
import { parseFilter } from "../../src/scim/filter-parse.js";
import { buildStored } from "../../src/scim/ingest.js";
import { normaliseResource } from "../../src/scim/normalise.js";
import { applyPatch } from "../../src/scim/patch-apply.js";
import { parsePatchRequest } from "../../src/scim/patch-request.js";
import { groupSchema, userSchema, type ResourceSchema } from "../../src/scim/schemas.js";
import {
  arbitraryPath,
  brokenFilter,
  brokenGroupPath,
  brokenUserPath,
  fuzzedFilter,
  validGroupFilter,
  validUserFilter,
  validUserPath,
} from "./support/expression-arbitraries.js";
import { ERROR_URN, GROUP_URN, PATCH_URN, USER_URN, patchOf, type ScimReply } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const STORED_USER = {
  schemas: [USER_URN],
  id: "u1",
  userName: "u@example.com",
  title: "Engineer",
  active: true,
  name: { givenName: "U" },
  emails: [{ value: "u@example.com", type: "work", primary: true }],
  meta: {
    resourceType: "User",
    created: "2026-01-01T00:00:00.000Z",
    lastModified: "2026-01-01T00:00:00.000Z",
  },
};
const STORED_GROUP = {
  schemas: [GROUP_URN],
  id: "g1",
  displayName: "Team",
  members: [{ value: "u1", display: "U" }],
  meta: STORED_USER.meta,
};

/** What a refusal of `text` must be: a ScimError 400 with one of `scimTypes`. */
function expectRefused(run: () => unknown, scimTypes: readonly string[]): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    expect(error.status, error.message).toBe(400);
    expect(scimTypes, error.message).toContain(error.scimType);
    return;
  }
  throw new Error("accepted, but it should have been refused");
}

/** Accepted, or refused with a 4xx ScimError of one of `scimTypes`; never anything else. */
function expectNoCrash(run: () => unknown, scimTypes: readonly string[]): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    expect(error.status, error.message).toBeLessThan(500);
    expect(scimTypes, error.message).toContain(error.scimType);
  }
}

function filterRun(schema: ResourceSchema, text: string): () => unknown {
  const resource = schema === userSchema ? STORED_USER : STORED_GROUP;
  return () => matchesFilter(parseFilter(schema, text), resource);
}

function patchRun(path: string, value: unknown, op = "add"): () => unknown {
  return () => {
    const operations = parsePatchRequest({ schemas: [PATCH_URN], Operations: [{ op, path, value }] });
    const patched = applyPatch(userSchema, STORED_USER, operations);
    return buildStored(
      userSchema,
      normaliseResource(userSchema, patched),
      "u1",
      STORED_USER,
      "2026-01-02T00:00:00.000Z",
    );
  };
}

/** RFC 7644 §3.12: what a PATCH path may be refused as, besides a malformed path or filter. */
const PATCH_REFUSALS = ["invalidPath", "invalidFilter", "invalidValue", "noTarget", "mutability"];

describe("the filter parser", () => {
  it("accepts every filter of the grammar, Users and Groups", () => {
    fc.assert(
      fc.property(validUserFilter, (text) => void filterRun(userSchema, text)()),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(validGroupFilter, (text) => void filterRun(groupSchema, text)()),
      { numRuns: 500 },
    );
  });

  it("refuses every near-miss with 400 invalidFilter", () => {
    fc.assert(
      fc.property(brokenFilter("User"), (text) =>
        expectRefused(filterRun(userSchema, text), ["invalidFilter"]),
      ),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(brokenFilter("Group"), (text) =>
        expectRefused(filterRun(groupSchema, text), ["invalidFilter"]),
      ),
      { numRuns: 500 },
    );
  });

  it("answers any text and any one-character edit of a valid filter with a result or 400 invalidFilter", () => {
    const anything = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fuzzedFilter);
    fc.assert(
      fc.property(anything, (text) => {
        expectNoCrash(filterRun(userSchema, text), ["invalidFilter"]);
        expectNoCrash(filterRun(groupSchema, text), ["invalidFilter"]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the PATCH path parser", () => {
  it("applies every valid path with a value of its type, by add and by replace", () => {
    fc.assert(
      fc.property(validUserPath, fc.constantFrom("add", "replace", "Replace"), ({ path, value }, op) => {
        patchRun(path, value, op)();
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every malformed path with 400 invalidPath or invalidFilter", () => {
    fc.assert(
      fc.property(brokenUserPath, fc.constantFrom("add", "replace", "remove"), (path, op) =>
        expectRefused(patchRun(path, "x", op), ["invalidPath", "invalidFilter"]),
      ),
      { numRuns: 1000 },
    );
  });

  it("answers any path with a change or a 4xx SCIM error", () => {
    const values = fc.constantFrom<unknown>("x", true, { value: "v" }, [{ value: "v" }], { givenName: "G" });
    fc.assert(
      fc.property(arbitraryPath, values, fc.constantFrom("add", "replace", "remove"), (path, value, op) =>
        expectNoCrash(patchRun(path, value, op), PATCH_REFUSALS),
      ),
      { numRuns: 2000 },
    );
  });
});

describe("over HTTP against the real handler", () => {
  const scim = shareScim();
  let userId = "";
  let groupId = "";

  beforeAll(async () => {
    const user = await scim.call("POST", "/Users", {
      schemas: [USER_URN],
      userName: "fuzz@example.com",
      title: "Engineer",
      emails: [{ value: "fuzz@example.com", type: "work", primary: true }],
    });
    userId = user.body.id as string;
    const group = await scim.call("POST", "/Groups", {
      schemas: [GROUP_URN],
      displayName: "Fuzzers",
      members: [{ value: userId }],
    });
    groupId = group.body.id as string;
  });

  /** GET when the URL fits Node's header limit (and the text encodes), else POST /.search. */
  async function search(endpoint: "Users" | "Groups", filter: string): Promise<ScimReply> {
    let encoded: string | undefined;
    try {
      encoded = encodeURIComponent(filter);
    } catch {
      encoded = undefined;
    }
    if (encoded !== undefined && encoded.length < 12_000)
      return scim.call("GET", `/${endpoint}?filter=${encoded}`);
    return scim.call("POST", `/${endpoint}/.search`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter,
    });
  }

  function expectScimRefusal(reply: ScimReply, scimTypes: readonly string[]): void {
    expect(reply.status, reply.text.slice(0, 300)).toBe(400);
    expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(reply.body).toMatchObject({ schemas: [ERROR_URN], status: "400" });
    expect(scimTypes, reply.text.slice(0, 300)).toContain(reply.body.scimType);
    expect(typeof reply.body.detail).toBe("string");
  }

  function expectNever5xx(reply: ScimReply, scimTypes: readonly string[]): void {
    expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(500);
    if (reply.status >= 400) expectScimRefusal(reply, scimTypes);
  }

  it("GET /Users and /Groups?filter=: valid is 200, a near-miss 400 invalidFilter, anything never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(validUserFilter, async (filter) => {
        expect((await search("Users", filter)).status).toBe(200);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(validGroupFilter, async (filter) => {
        expect((await search("Groups", filter)).status).toBe(200);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(brokenFilter("User"), async (filter) => {
        expectScimRefusal(await search("Users", filter), ["invalidFilter"]);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(brokenFilter("Group"), async (filter) => {
        expectScimRefusal(await search("Groups", filter), ["invalidFilter"]);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fuzzedFilter), async (filter) => {
        expectNever5xx(await search("Users", filter), ["invalidFilter"]);
        expectNever5xx(await search("Groups", filter), ["invalidFilter"]);
      }),
      { numRuns: 80 },
    );
  });

  it("PATCH /Users: valid paths apply, malformed ones are 400 invalidPath/invalidFilter, any path never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(validUserPath, async ({ path, value }) => {
        const reply = await scim.call("PATCH", `/Users/${userId}`, patchOf({ op: "replace", path, value }));
        expect(reply.status, reply.text.slice(0, 300)).toBe(200);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(brokenUserPath, async (path) => {
        const reply = await scim.call("PATCH", `/Users/${userId}`, patchOf({ op: "add", path, value: "x" }));
        expectScimRefusal(reply, ["invalidPath", "invalidFilter"]);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(arbitraryPath, fc.constantFrom("add", "replace", "remove"), async (path, op) => {
        const reply = await scim.call("PATCH", `/Users/${userId}`, patchOf({ op, path, value: "x" }));
        expectNever5xx(reply, PATCH_REFUSALS);
      }),
      { numRuns: 60 },
    );
  });

  it("PATCH /Groups: malformed member paths are 400 invalidPath/invalidFilter, any path never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(brokenGroupPath, fc.constantFrom("add", "remove"), async (path, op) => {
        const reply = await scim.call(
          "PATCH",
          `/Groups/${groupId}`,
          patchOf({ op, path, value: [{ value: userId }] }),
        );
        expectScimRefusal(reply, ["invalidPath", "invalidFilter"]);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(arbitraryPath, fc.constantFrom("add", "replace", "remove"), async (path, op) => {
        const reply = await scim.call(
          "PATCH",
          `/Groups/${groupId}`,
          patchOf({ op, path, value: [{ value: userId }] }),
        );
        expectNever5xx(reply, PATCH_REFUSALS);
      }),
      { numRuns: 60 },
    );
  });
});
