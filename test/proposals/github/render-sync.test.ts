import { describe, expect, it } from "vitest";
import type { OperationRef } from "../../../src/proposals/commit-message.js";
import { PULL_REQUEST_BODY_LIMIT, renderSyncBody } from "../../../src/proposals/github/render-sync-body.js";
import { renderSyncTitle } from "../../../src/proposals/github/render-sync-title.js";
import { identitiesOf, syncAccessDiff } from "../../../src/proposals/github/sync-access-diff.js";

const NOW = new Date("2026-11-29T02:15:00.000Z");
const BASE = "1111111111111111111111111111111111111111";
const HEAD = "2222222222222222222222222222222222222222";

const SETTINGS = [
  "version: 1",
  "pulsar:",
  '  principal: "{userName}"',
  "  manage:",
  "    tenants: [acme]",
  "nats:",
  '  principal: "{userName}"',
  "  manage:",
  "    accounts: [PAYMENTS]",
  "  bucket: scim-gitops-access",
  "",
].join("\n");
const ACCESS = [
  "roles:",
  "  payments-writer:",
  "    pulsar:",
  "      - namespace: acme/payments",
  "        actions: [produce, consume]",
  "    nats:",
  "      - account: PAYMENTS",
  '        publish: ["payments.>"]',
  '        subscribe: ["payments.>"]',
  "bindings:",
  "  - group: payments-engineers",
  "    roles: [payments-writer]",
  "",
].join("\n");

function user(n: number, fields: { active?: boolean; userName?: string; deleted?: boolean } = {}): string {
  return [
    `id: user-${n}`,
    `userName: ${fields.userName ?? `person${n}@example.com`}`,
    `displayName: Person ${n}`,
    `active: ${fields.active ?? true}`,
    ...(fields.deleted === true ? ['deleted: "2026-11-29T02:00:00.000Z"'] : []),
    "emails:",
    `  - person${n}@example.com`,
    "",
  ].join("\n");
}

function group(members: readonly string[], name = "payments-engineers"): string {
  return [
    `id: group-${name}`,
    `displayName: ${name}`,
    "members:",
    ...members.map((m) => `  - ${m}`),
    "",
  ].join("\n");
}

function policy(identities: Record<string, string>): Map<string, string> {
  return new Map([
    ["settings.yaml", SETTINGS],
    ["access/payments.yaml", ACCESS],
    ...Object.entries(identities).map(([path, text]): [string, string] => [`identities/${path}`, text]),
  ]);
}

const op = (seq: number, type: "User" | "Group", id: string, operation: OperationRef["operation"]) => ({
  seq,
  type,
  id,
  operation,
});

describe("the sync PR's title", () => {
  const base = new Map([
    ["users/person-1.yaml", user(1)],
    ["users/person-2.yaml", user(2)],
    ["users/person-3.yaml", user(3, { active: false })],
    ["groups/payments-engineers.yaml", group(["person1@example.com"])],
  ]);

  it("counts new, reactivated, removed and renamed users and group changes, in one order", () => {
    const head = new Map([
      ["users/person-1.yaml", user(1, { userName: "p1@example.com" })],
      ["users/person-2.yaml", user(2, { active: false, deleted: true })],
      ["users/person-3.yaml", user(3)],
      ["users/person-4.yaml", user(4)],
      ["users/person-5.yaml", user(5)],
      ["groups/payments-engineers.yaml", group(["p1@example.com", "person4@example.com"])],
      ["groups/search.yaml", group([], "search")],
    ]);
    expect(renderSyncTitle(base, head)).toBe(
      "SCIM sync: +2 users, 1 reactivated user, −1 user, 1 rename, +1 group, 1 group change",
    );
  });

  it("says 'user' for one and counts a deactivation as a user out", () => {
    const head = new Map(base);
    head.set("users/person-2.yaml", user(2, { active: false }));
    expect(renderSyncTitle(base, head)).toBe("SCIM sync: −1 user");
    head.set("users/person-1.yaml", user(1).replace("Person 1", "Person One"));
    expect(renderSyncTitle(base, head)).toBe("SCIM sync: −1 user, 1 profile update");
  });

  it("renders twelve new users, a leaver and three group changes the way the issue puts it", () => {
    const wide = new Map(base);
    for (const name of ["a", "b", "c"]) wide.set(`groups/${name}.yaml`, group([], name));
    const head = new Map(wide);
    for (let n = 10; n < 22; n++) head.set(`users/person-${n}.yaml`, user(n));
    head.set("users/person-2.yaml", user(2, { active: false }));
    for (const name of ["a", "b", "c"])
      head.set(`groups/${name}.yaml`, group(["person10@example.com"], name));
    expect(renderSyncTitle(wide, head)).toBe("SCIM sync: +12 users, −1 user, 3 group changes");
  });
});

describe("the sync PR's body", () => {
  it("shows each person's access change with the binding and role, and the SCIM operations", async () => {
    const main = policy({
      "users/person-1.yaml": user(1),
      "users/person-2.yaml": user(2),
      "groups/payments-engineers.yaml": group(["person1@example.com", "person2@example.com"]),
    });
    const head = new Map(identitiesOf(main));
    head.set("users/person-2.yaml", user(2, { active: false }));
    head.set("users/person-3.yaml", user(3));
    head.set(
      "groups/payments-engineers.yaml",
      group(["person1@example.com", "person2@example.com", "person3@example.com"]),
    );
    const diff = syncAccessDiff(main, head, { dir: "policies", now: NOW });
    const body = renderSyncBody({
      diff,
      operations: [
        op(7, "User", "user-3", "create"),
        op(8, "Group", "group-payments-engineers", "patch"),
        op(9, "User", "user-2", "patch"),
      ],
      base: BASE,
      head: HEAD,
      baseBranch: "main",
    });
    await expect(body).toMatchFileSnapshot("__snapshots__/sync-body.md");
  });

  it("stays under GitHub's limit with 5,000 people, summarised, pointing to the access-diff check", async () => {
    const people = Array.from({ length: 5_000 }, (_, n) => n + 1);
    const main = policy({ "groups/payments-engineers.yaml": group([]) });
    const head = new Map(identitiesOf(main));
    for (const n of people) head.set(`users/person-${n}.yaml`, user(n));
    head.set("groups/payments-engineers.yaml", group(people.map((n) => `person${n}@example.com`)));
    const diff = syncAccessDiff(main, head, { dir: "policies", now: NOW });
    expect(diff.people).toHaveLength(5_000);
    const operations = people.map((n) => op(n, "User", `user-${n}`, "create"));
    const body = renderSyncBody({ diff, operations, base: BASE, head: HEAD, baseBranch: "main" });
    expect(body.length).toBeLessThan(PULL_REQUEST_BODY_LIMIT);
    expect(body).toContain("⚠️ Grants access: 5000 people gain 20000 permissions.");
    expect(body).toMatch(/> \*\*Truncated:\*\* \d+ more people \(\d+ changes, \d+ of them gaining access\)/);
    expect(body).toContain("> The `access-diff` check run on this head has the same diff");
    expect(body).toMatch(/- … and \d+ more; the commits' `SCIM-Operation` trailers name them all/);
    await expect(body).toMatchFileSnapshot("__snapshots__/sync-body-5000-people.md");
  });
});
