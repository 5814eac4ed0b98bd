import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderGroupFile, renderUserFile } from "../../src/policy/identities/identity-file.js";
import type { UserFileFields } from "../../src/policy/identities/identity-file.js";

const alice: UserFileFields = {
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "00u1abcd",
  userName: "alice@example.com",
  displayName: "Alice Example",
  active: true,
  emails: ["alice@example.com", "a.example@example.org"],
};

describe("renderUserFile", () => {
  it("writes a new file with the SCIM-owned keys in the documented order", () => {
    expect(renderUserFile(undefined, alice)).toBe(
      [
        "id: 2819c223-7f76-453a-919d-413861904646",
        "externalId: 00u1abcd",
        "userName: alice@example.com",
        "displayName: Alice Example",
        "active: true",
        "emails:",
        "  - alice@example.com",
        "  - a.example@example.org",
        "",
      ].join("\n"),
    );
  });

  it("returns the previous text byte for byte when nothing SCIM owns changed", () => {
    const previous = [
      "# Alice leads the payments team.",
      'id: "2819c223-7f76-453a-919d-413861904646"',
      "externalId: 00u1abcd",
      "userName:   alice@example.com   # odd spacing a person left",
      "displayName: 'Alice Example'",
      "active: true",
      "emails: [alice@example.com, a.example@example.org]",
      "team: payments",
      "",
    ].join("\n");
    expect(renderUserFile(previous, alice)).toBe(previous);
  });

  it("keeps comments and fields a person added when a field changes", () => {
    const previous = [
      "# Alice leads the payments team.",
      "id: 2819c223-7f76-453a-919d-413861904646",
      "externalId: 00u1abcd",
      "userName: alice@example.com",
      "displayName: Alice Example # as in the IdP",
      "active: true",
      "emails:",
      "  - alice@example.com",
      "  - a.example@example.org",
      "# Reviewed by the platform team",
      "team: payments",
      "oncall: true",
      "",
    ].join("\n");
    const next = renderUserFile(previous, { ...alice, active: false });
    expect(next).toContain("# Alice leads the payments team.");
    expect(next).toContain("displayName: Alice Example # as in the IdP");
    expect(next).toContain("# Reviewed by the platform team");
    expect(next).toContain("active: false");
    expect(parse(next)).toMatchObject({ team: "payments", oncall: true, active: false });
    expect(next.split("\n").length).toBe(previous.split("\n").length);
  });

  it("puts SCIM-owned keys back in order ahead of a person's keys when it edits a file", () => {
    const previous = "team: payments\nuserName: alice@example.com\nid: old\nactive: true\nemails: []\n";
    const next = renderUserFile(previous, alice);
    expect(Object.keys(parse(next) as object)).toEqual([
      "id",
      "externalId",
      "userName",
      "displayName",
      "active",
      "emails",
      "team",
    ]);
  });

  it("records the old userName under formerUserNames on a rename, once", () => {
    const before = renderUserFile(undefined, alice);
    const renamed = renderUserFile(before, { ...alice, userName: "alice.smith@example.com" });
    expect(parse(renamed)).toMatchObject({
      userName: "alice.smith@example.com",
      formerUserNames: ["alice@example.com"],
    });
    const again = renderUserFile(renamed, { ...alice, userName: "alice.jones@example.com" });
    expect((parse(again) as { formerUserNames: string[] }).formerUserNames).toEqual([
      "alice@example.com",
      "alice.smith@example.com",
    ]);
    expect(renderUserFile(again, { ...alice, userName: "alice.jones@example.com" })).toBe(again);
  });

  it("drops the current userName from formerUserNames when a rename is undone", () => {
    const renamed = renderUserFile(renderUserFile(undefined, alice), { ...alice, userName: "a@example.com" });
    const back = parse(renderUserFile(renamed, alice)) as { userName: string; formerUserNames: string[] };
    expect(back.userName).toBe("alice@example.com");
    expect(back.formerUserNames).toEqual(["a@example.com"]);
  });

  it("removes a key whose field is now absent and writes a tombstone", () => {
    const before = renderUserFile(undefined, alice);
    const tombstone = renderUserFile(before, {
      ...alice,
      externalId: undefined,
      active: false,
      deleted: "2026-11-29T02:00:00.000Z",
    });
    const parsed = parse(tombstone) as Record<string, unknown>;
    expect(parsed).not.toHaveProperty("externalId");
    expect(parsed).toMatchObject({ active: false, deleted: "2026-11-29T02:00:00.000Z" });
    expect(Object.keys(parsed).at(-1)).toBe("deleted");
  });

  it("quotes values YAML would otherwise read as another type", () => {
    const text = renderUserFile(undefined, { ...alice, id: "12345", userName: "true", displayName: "null" });
    expect(parse(text)).toMatchObject({ id: "12345", userName: "true", displayName: "null" });
  });

  it("keeps the comment on a list item that stays", () => {
    const previous = renderUserFile(undefined, alice).replace(
      "  - alice@example.com\n",
      "  - alice@example.com # primary\n",
    );
    const next = renderUserFile(previous, { ...alice, emails: ["alice@example.com", "alice@example.net"] });
    expect(next).toContain("  - alice@example.com # primary\n  - alice@example.net\n");
  });

  it("writes the name parts and the creation time where DESIGN §3 lets a file hold more", () => {
    const text = renderUserFile(undefined, {
      ...alice,
      name: { familyName: "Ångström", givenName: "Zoë", formatted: "Zoë Ångström" },
      created: "2026-11-29T02:00:00.000Z",
    });
    expect(text).toBe(
      [
        "id: 2819c223-7f76-453a-919d-413861904646",
        "externalId: 00u1abcd",
        "userName: alice@example.com",
        "displayName: Alice Example",
        "name:",
        "  givenName: Zoë",
        "  familyName: Ångström",
        "  formatted: Zoë Ångström",
        "active: true",
        "emails:",
        "  - alice@example.com",
        "  - a.example@example.org",
        "created: 2026-11-29T02:00:00.000Z",
        "",
      ].join("\n"),
    );
  });

  it("edits name parts in place, keeping the comments and keys a person put inside name", () => {
    const previous = [
      "id: 2819c223-7f76-453a-919d-413861904646",
      "userName: alice@example.com",
      "name:",
      "  givenName: Alice # as she signs",
      "  familyName: Example",
      "  nickname: Al",
      "active: true",
      "",
    ].join("\n");
    const fields: UserFileFields = {
      id: alice.id,
      userName: alice.userName,
      name: { givenName: "Alice", familyName: "Married" },
      active: true,
      emails: [],
    };
    const next = renderUserFile(previous, fields);
    expect(next).toContain("  givenName: Alice # as she signs\n  familyName: Married\n  nickname: Al\n");
    expect(renderUserFile(next, fields)).toBe(next);
    const unnamed = renderUserFile(next, { ...fields, name: {} });
    expect(parse(unnamed)).not.toHaveProperty("name");
  });

  it("renders afresh a file that no longer parses", () => {
    expect(parse(renderUserFile("id: [unclosed\n", alice))).toMatchObject({ userName: "alice@example.com" });
  });
});

describe("renderGroupFile", () => {
  const group = { id: "g-1", displayName: "payments-engineers", members: ["carol", "alice", "bob", "alice"] };

  it("writes members sorted and deduplicated, keys in order", () => {
    expect(renderGroupFile(undefined, group)).toBe(
      "id: g-1\ndisplayName: payments-engineers\nmembers:\n  - alice\n  - bob\n  - carol\n",
    );
  });

  it("is byte-identical when the members are the same in another order", () => {
    const previous =
      "# Payments on-call rota\nid: g-1\ndisplayName: payments-engineers\nmembers: [alice, bob, carol]\n";
    expect(renderGroupFile(previous, { ...group, members: ["bob", "carol", "alice"] })).toBe(previous);
  });

  it("adds a member keeping the other members' comments and a person's keys", () => {
    const previous = [
      "# Payments on-call rota",
      "id: g-1",
      "displayName: payments-engineers",
      "members:",
      "  - alice # lead",
      "  - bob",
      "slack: '#payments'",
      "",
    ].join("\n");
    const next = renderGroupFile(previous, { ...group, members: ["bob", "alice", "dave"] });
    expect(next).toBe(
      [
        "# Payments on-call rota",
        "id: g-1",
        "displayName: payments-engineers",
        "members:",
        "  - alice # lead",
        "  - bob",
        "  - dave",
        "slack: '#payments'",
        "",
      ].join("\n"),
    );
  });

  it("writes an empty group as an empty list", () => {
    expect(parse(renderGroupFile(undefined, { ...group, members: [] }))).toEqual({
      id: "g-1",
      displayName: "payments-engineers",
      members: [],
    });
  });
});
