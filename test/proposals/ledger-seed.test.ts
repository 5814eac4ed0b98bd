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
