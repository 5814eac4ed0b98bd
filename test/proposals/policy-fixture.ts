import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ScimResource } from "../../src/ledger/ledger.js";
import type { GitPolicyRepo } from "../../src/repos/git/git-policy-repo.js";
import { openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";

export const ALICE_ID = "2819c223-7f76-453a-919d-413861904646";
export const BOB_ID = "902c246b-6245-4190-8e05-00816be7344a";
export const ENGINEERS_ID = "7e1c1f0a-0000-4000-8000-000000000001";
export const READONLY_ID = "7e1c1f0a-0000-4000-8000-000000000002";

export interface FixtureOptions {
  readonly triggers?: string;
  readonly merge?: "direct" | "auto" | "off";
}

/**
 * A small policy: payments-engineers may publish on PAYMENTS, payments-readonly carries a deny on the same
 * subjects (so leaving that group lifts a deny: a grant). Alice is in both, Bob only in engineers.
 */
function policyFiles(options: FixtureOptions): Record<string, string> {
  return {
    "settings.yaml": [
      "version: 1",
      "nats:",
      '  principal: "{userName}"',
      "  manage:",
      "    accounts: [PAYMENTS]",
      "  bucket: scim-gitops-access",
      "emergency:",
      `  triggers: ${options.triggers ?? "[deactivated, deleted]"}`,
      `  merge: ${options.merge ?? "direct"}`,
      "",
    ].join("\n"),
    "access/payments.yaml": [
      "roles:",
      "  payments-writer:",
      "    nats:",
      "      - account: PAYMENTS",
      '        publish: ["payments.>"]',
      '        subscribe: ["payments.>"]',
      "  payments-no-publish:",
      "    nats:",
      "      - account: PAYMENTS",
      "        publish:",
      '          allow: ["_INBOX.>"]',
      '          deny: ["payments.>"]',
      '        subscribe: ["payments.>"]',
      "bindings:",
      "  - group: payments-engineers",
      "    roles: [payments-writer]",
      "  - group: payments-readonly",
      "    roles: [payments-no-publish]",
      "",
    ].join("\n"),
    "identities/users/alice-example-com.yaml": [
      "# Alice leads the payments team",
      `id: ${ALICE_ID}`,
      "userName: alice@example.com",
      "displayName: Alice Example",
      "active: true",
      "emails:",
      "  - alice@example.com",
      "",
    ].join("\n"),
    "identities/users/bob-example-com.yaml": [
      `id: ${BOB_ID}`,
      "userName: bob@example.com",
      "displayName: Bob Example",
      "active: true",
      "emails:",
      "  - bob@example.com",
      "",
    ].join("\n"),
    "identities/groups/payments-engineers.yaml": [
      `id: ${ENGINEERS_ID}`,
      "displayName: payments-engineers",
      "members:",
      "  - alice@example.com",
      "  - bob@example.com",
      "",
    ].join("\n"),
    "identities/groups/payments-readonly.yaml": [
      `id: ${READONLY_ID}`,
      "displayName: payments-readonly",
      "members:",
      "  - alice@example.com",
      "",
    ].join("\n"),
  };
}

export function scimUser(id: string, userName: string, displayName: string, active = true): ScimResource {
  return {
    id,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName,
    displayName,
    active,
    emails: [{ value: userName, type: "work", primary: true }],
    meta: { resourceType: "User" },
  };
}

export function scimGroup(id: string, displayName: string, memberIds: readonly string[]): ScimResource {
  return {
    id,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName,
    members: memberIds.map((value) => ({ value })),
    meta: { resourceType: "Group" },
  };
}

export interface Fixture {
  readonly scratch: string;
  readonly repo: GitPolicyRepo;
  /** The real journal ledger, seeded from the same identities main holds (as serve seeds it). */
  readonly ledger: JournalLedger;
}

/** A repository whose main holds the policy, and a ledger already holding what main's identities say. */
export async function makeFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const scratch = await mkdtemp(join(tmpdir(), "proposer-test-"));
  const examples = join(scratch, "examples");
  for (const [path, text] of Object.entries(policyFiles(options))) {
    await mkdir(dirname(join(examples, path)), { recursive: true });
    await writeFile(join(examples, path), text);
  }
  const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: examples });
  const ledger = await openLedger({
    dir: join(scratch, "data"),
    now: () => new Date("2026-11-29T02:15:00.000Z"),
    seed: () =>
      Promise.resolve({
        users: [
          scimUser(ALICE_ID, "alice@example.com", "Alice Example"),
          scimUser(BOB_ID, "bob@example.com", "Bob Example"),
        ],
        groups: [
          scimGroup(ENGINEERS_ID, "payments-engineers", [ALICE_ID, BOB_ID]),
          scimGroup(READONLY_ID, "payments-readonly", [ALICE_ID]),
        ],
      }),
  });
  return { scratch, repo, ledger };
}
