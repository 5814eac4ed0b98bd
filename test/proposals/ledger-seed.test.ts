import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLedgerSeed } from "../../src/proposals/ledger-seed.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import { scimUser } from "./policy-fixture.js";
import { put } from "./ledger-writes.js";
import { oktaUser, patchOf, startScim } from "../scim/support/scim-server.js";

let scratch: string;
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** As serve opens it: the journal ledger on a fresh data directory, seeded from the repository. */
let ledgers = 0;
function seededLedger(seed: Awaited<ReturnType<typeof readLedgerSeed>>): Promise<JournalLedger> {
  return openLedger({ dir: join(scratch, `data-${++ledgers}`), seed: () => Promise.resolve(seed) });
}

describe("seeding a ledger from the policy repository", () => {
  it("reads the bundled examples so that a first run proposes nothing", async () => {
    scratch = await mkdtemp(join(tmpdir(), "seed-test-"));
    const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: BUNDLED_POLICIES });
    const seed = await readLedgerSeed(repo);
    expect(seed.from).toBe("main");
    expect(seed.users.length).toBeGreaterThan(0);
    expect(seed.groups.length).toBeGreaterThan(0);
    expect(seed.groups.some((group) => (group["members"] as unknown[]).length > 0)).toBe(true);

    const ledger = await seededLedger(seed);
    const proposer = startProposer({ ledger, repo, watchMainMs: 0 });
    await proposer.flush();
    await proposer.close();
    await ledger.close();
    expect(await repo.head(SYNC_BRANCH)).toBeUndefined();
  });

  it("prefers the sync branch, which holds what was acknowledged but not yet merged", async () => {
    scratch = await mkdtemp(join(tmpdir(), "seed-test-"));
    const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: BUNDLED_POLICIES });
    const ledger = await seededLedger(await readLedgerSeed(repo));
    await put(ledger, "User", scimUser("new-1", "newcomer@example.com", "Newcomer"));
    const proposer = startProposer({ ledger, repo, watchMainMs: 0 });
    await proposer.flush();
    await proposer.close();
    await ledger.close();
    const syncHead = await repo.head(SYNC_BRANCH);

    const seed = await readLedgerSeed(repo);
    expect(seed.from).toBe(SYNC_BRANCH);
    expect(seed.users.find((user) => user.id === "new-1")).toMatchObject({
      userName: "newcomer@example.com",
      active: true,
      emails: [{ value: "newcomer@example.com", primary: true }],
    });
    const reseeded = await seededLedger(seed);
    const restarted = startProposer({ ledger: reseeded, repo, watchMainMs: 0 });
    await restarted.flush();
    await restarted.close();
    await reseeded.close();
    expect(await repo.head(SYNC_BRANCH)).toBe(syncHead);
  });
});

describe("a ledger rebuilt from git, as an IdP reads it", () => {
  it("answers GET with the name parts and meta.created the IdP's POST got, and a PATCH keeps meta.created", async () => {
    scratch = await mkdtemp(join(tmpdir(), "seed-test-"));
    const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: BUNDLED_POLICIES });
    const first = await startScim({ ledger: await seededLedger(await readLedgerSeed(repo)) });
    const posted = await first.call(
      "POST",
      "/Users",
      oktaUser("zoë.ångström@example.com", { name: { givenName: "Zoë", familyName: "Ångström" } }),
    );
    expect(posted.status).toBe(201);
    const proposer = startProposer({ ledger: first.ledger, repo, watchMainMs: 0 });
    await proposer.flush();
    await proposer.close();
    await first.close();

    const second = await startScim({ ledger: await seededLedger(await readLedgerSeed(repo)) });
    try {
      const read = await second.call("GET", `/Users/${posted.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body.name).toEqual({ givenName: "Zoë", familyName: "Ångström" });
      expect(read.body.meta.created).toBe(posted.body.meta.created);

      // Okta's SPEC test reads the name parts of the first listed user, whichever it is.
      const listed = await second.call("GET", "/Users?count=1&startIndex=1");
      const firstListed = listed.body.Resources[0];
      expect(typeof firstListed.name?.givenName).toBe("string");
      expect(typeof firstListed.name?.familyName).toBe("string");

      const patched = await second.call(
        "PATCH",
        `/Users/${posted.body.id}`,
        patchOf({ op: "replace", value: { active: false } }),
      );
      expect(patched.status).toBe(200);
      expect(patched.body.active).toBe(false);
      expect(patched.body.meta.created).toBe(posted.body.meta.created);
    } finally {
      await second.close();
    }
  });

  it("never passes a PATCH's time off as meta.created of a user whose file does not record it", async () => {
    scratch = await mkdtemp(join(tmpdir(), "seed-test-"));
    const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: BUNDLED_POLICIES });
    const scim = await startScim({ ledger: await seededLedger(await readLedgerSeed(repo)) });
    try {
      const listed = await scim.call("GET", "/Users?count=1&startIndex=1");
      const before = listed.body.Resources[0];
      const patched = await scim.call(
        "PATCH",
        `/Users/${before.id}`,
        patchOf({ op: "replace", value: { displayName: "Renamed Person" } }),
      );
      expect(patched.status).toBe(200);
      expect(patched.body.displayName).toBe("Renamed Person");
      expect(patched.body.meta.created).toBe(before.meta.created);
    } finally {
      await scim.close();
    }
  });
});
