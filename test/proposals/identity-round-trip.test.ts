/**
 * SCIM → ledger → identity file → seed → GET: a ledger rebuilt from git (its data directory lost) must answer
 * an IdP's GET as the first one did on what the files hold (DESIGN §3, §4). Both ledgers are real journal
 * ledgers behind the real SCIM handler over HTTP; the files are what the proposer renders.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { seedFromIdentityFiles } from "../../src/proposals/ledger-seed.js";
import { IdentityRenderer } from "../../src/proposals/render-identities.js";
import { GROUP_URN, USER_URN, startScim, type TestScim } from "../scim/support/scim-server.js";

/** Text an IdP may send: any Unicode, and the spaces YAML and JavaScript disagree about. */
const someText = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 8 }),
    fc.constantFrom("Zoë", "Ångström", "日本語", "O'Brien", "true", "null", "123", "#x", "a: b", "- x"),
    fc
      .tuple(fc.constantFrom("alice", "Ünal"), fc.constantFrom("\u00a0", "\u2003", "\ufeff", "\f", "\v", " "))
      .map(([word, space]) => `${word}${space}`),
  )
  .filter((value) => value.trim() !== "");

const NAME_KEYS = [
  "givenName",
  "familyName",
  "middleName",
  "honorificPrefix",
  "honorificSuffix",
  "formatted",
];

const userBody = (index: number) =>
  fc
    .record(
      {
        userName: someText,
        externalId: someText,
        displayName: someText,
        name: fc.record(
          Object.fromEntries(NAME_KEYS.map((key) => [key, someText])) as Record<string, fc.Arbitrary<string>>,
          { requiredKeys: [] },
        ),
        active: fc.boolean(),
        emails: fc.uniqueArray(
          fc.record({
            value: someText,
            type: fc.constantFrom("work", "home", "other"),
            primary: fc.boolean(),
          }),
          { maxLength: 3, selector: (email) => email.value },
        ),
      },
      { requiredKeys: ["userName", "active"] },
    )
    // userNames are unique case-insensitively; a suffix keeps generated ones apart without filtering.
    .map(({ userName, ...rest }) => ({ schemas: [USER_URN], userName: `${userName}#${index}`, ...rest }));

const scenario = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc.record({
    users: fc.tuple(...Array.from({ length: count }, (_, index) => userBody(index))),
    groups: fc.array(
      fc.record(
        {
          displayName: someText,
          externalId: someText,
          members: fc.uniqueArray(fc.nat({ max: count - 1 }), { maxLength: count }),
        },
        { requiredKeys: ["displayName", "members"] },
      ),
      { maxLength: 3 },
    ),
  }),
);

type Resource = Record<string, unknown>;

/** What the identity files hold of a user, as GET shows it. */
function userAsFilesHoldIt(user: Resource): Resource {
  const name = Object.fromEntries(
    Object.entries((user["name"] ?? {}) as Record<string, string>).filter(([, part]) => part.trim() !== ""),
  );
  const emails = (user["emails"] ?? []) as { value: string; primary?: boolean }[];
  const primaryFirst = [...emails.filter((e) => e.primary === true), ...emails.filter((e) => !e.primary)];
  return {
    id: user["id"],
    externalId: user["externalId"],
    userName: user["userName"],
    // A user file always names the person: displayName, else the IdP's formatted name, else its parts.
    displayName:
      user["displayName"] ??
      name["formatted"] ??
      ([name["givenName"], name["familyName"]].filter(Boolean).join(" ") || undefined),
    name: Object.keys(name).length === 0 ? undefined : name,
    active: user["active"],
    emails: [...new Set(primaryFirst.map((email) => email.value))],
    created: (user["meta"] as Resource)["created"],
  };
}

function groupAsFilesHoldIt(group: Resource): Resource {
  const members = (group["members"] ?? []) as { value: string }[];
  return {
    id: group["id"],
    externalId: group["externalId"],
    displayName: group["displayName"],
    members: members.map((member) => member.value).sort(),
    created: (group["meta"] as Resource)["created"],
  };
}

async function read(scim: TestScim, path: string): Promise<Resource> {
  const reply = await scim.call("GET", path);
  expect(reply.status, path).toBe(200);
  return reply.body as Resource;
}

describe("identity round trip through git", () => {
  it("a ledger seeded from the rendered files answers GET as the IdP's ledger did", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "round-trip-"));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ users, groups }) => {
          run++;
          const first = await startScim();
          let second: TestScim | undefined;
          try {
            const userIds: string[] = [];
            for (const body of users) {
              const reply = await first.call("POST", "/Users", body);
              expect(reply.status, reply.text).toBe(201);
              userIds.push((reply.body as Resource)["id"] as string);
            }
            const groupIds: string[] = [];
            for (const [index, group] of groups.entries()) {
              const body = {
                schemas: [GROUP_URN],
                ...group,
                displayName: `${group.displayName}#${index}`,
                members: group.members.map((member) => ({ value: userIds[member] })),
              };
              const reply = await first.call("POST", "/Groups", body);
              expect(reply.status, reply.text).toBe(201);
              groupIds.push((reply.body as Resource)["id"] as string);
            }

            const files = new IdentityRenderer().render(
              new Map(),
              { users: first.ledger.list("User"), groups: first.ledger.list("Group") },
              { deletedAt: () => "2026-12-01T00:00:00.000Z" },
            );
            const texts = new Map(
              [...files].flatMap(([path, text]) => (text === null ? [] : [[path, text]])),
            );
            const seed = seedFromIdentityFiles(texts, "2026-12-02T00:00:00.000Z");
            const ledger = await openLedger({
              dir: join(scratch, `seeded-${run}`),
              seed: () => Promise.resolve(seed),
            });
            second = await startScim({ ledger });

            for (const id of userIds) {
              const before = await read(first, `/Users/${id}`);
              const after = await read(second, `/Users/${id}`);
              expect(userAsFilesHoldIt(after)).toEqual(userAsFilesHoldIt(before));
              expect(after["meta"]).toMatchObject({ lastModified: "2026-12-02T00:00:00.000Z" });
            }
            for (const id of groupIds) {
              const before = await read(first, `/Groups/${id}`);
              const after = await read(second, `/Groups/${id}`);
              expect(groupAsFilesHoldIt(after)).toEqual(groupAsFilesHoldIt(before));
            }
          } finally {
            await second?.close();
            await first.close();
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
