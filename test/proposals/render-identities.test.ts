import { describe, expect, it } from "vitest";
import { IdentityRenderer } from "../../src/proposals/render-identities.js";
import { scimGroup, scimUser } from "./policy-fixture.js";

const deletedAt = () => "2026-11-29T02:15:00.000Z";

describe("rendering the ledger onto main's identity files", () => {
  it("gives colliding names distinct, stable slugs, the first one keeping the plain name", () => {
    const users = [scimUser("id-1", "a.b@example.com", "A"), scimUser("id-2", "a-b@example.com", "B")];
    const first = new IdentityRenderer().render(new Map(), { users, groups: [] }, { deletedAt });
    expect([...first.keys()]).toEqual([
      "users/a-b-example-com.yaml",
      expect.stringMatching(/^users\/a-b-example-com-[0-9a-f]{6}\.yaml$/),
    ]);
    const again = new IdentityRenderer().render(new Map(), { users, groups: [] }, { deletedAt });
    expect([...again.keys()]).toEqual([...first.keys()]);
  });

  it("finds an identity's file by SCIM id whatever its name, and proposes nothing when main agrees", () => {
    const renderer = new IdentityRenderer();
    const main = new Map([
      [
        "users/legacy-name.yaml",
        "id: id-1\nuserName: a@example.com\nactive: true\nemails:\n  - a@example.com\n",
      ],
      ["groups/team.yaml", "id: g-1\ndisplayName: team\nmembers:\n  - a@example.com\n"],
    ]);
    const ledger = {
      users: [scimUser("id-1", "a@example.com", "")],
      groups: [scimGroup("g-1", "team", ["id-1"])],
    };
    expect(renderer.render(main, ledger, { deletedAt })).toEqual(new Map());
  });

  it("tombstones a user main has and the ledger lost, once, and removes a group the ledger lost", () => {
    const renderer = new IdentityRenderer();
    const main = new Map([
      ["users/gone.yaml", "id: id-9\nuserName: gone@example.com\nactive: true\nemails: []\n"],
      [
        "users/already.yaml",
        "id: id-8\nuserName: old@example.com\nactive: false\nemails: []\ndeleted: 2026-01-01T00:00:00Z\n",
      ],
      ["groups/team.yaml", "id: g-1\ndisplayName: team\nmembers: []\n"],
    ]);
    const out = renderer.render(main, { users: [], groups: [] }, { deletedAt });
    expect(out).toEqual(
      new Map<string, string | null>([
        [
          "users/gone.yaml",
          "id: id-9\nuserName: gone@example.com\nactive: false\nemails: []\ndeleted: 2026-11-29T02:15:00.000Z\n",
        ],
        ["groups/team.yaml", null],
      ]),
    );
  });
});
