import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLedgerSeed } from "../../src/proposals/ledger-seed.js";
import { startProposer } from "../../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../../src/proposals/sync-branch.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../../src/repos/git/open-git-policy-repo.js";
import { MemoryLedger } from "./memory-ledger.js";
import { scimUser } from "./policy-fixture.js";
import { put } from "./ledger-writes.js";

let scratch: string;
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function seededLedger(seed: Awaited<ReturnType<typeof readLedgerSeed>>): Promise<MemoryLedger> {
  const ledger = new MemoryLedger();
  for (const user of seed.users) await put(ledger, "User", user);
  for (const group of seed.groups) await put(ledger, "Group", group);
  return ledger;
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

    const proposer = startProposer({ ledger: await seededLedger(seed), repo, watchMainMs: 0 });
    await proposer.flush();
    await proposer.close();
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
    const syncHead = await repo.head(SYNC_BRANCH);

    const seed = await readLedgerSeed(repo);
    expect(seed.from).toBe(SYNC_BRANCH);
    expect(seed.users.find((user) => user.id === "new-1")).toMatchObject({
      userName: "newcomer@example.com",
      active: true,
      emails: [{ value: "newcomer@example.com", primary: true }],
    });
    const restarted = startProposer({ ledger: await seededLedger(seed), repo, watchMainMs: 0 });
    await restarted.flush();
    await restarted.close();
    expect(await repo.head(SYNC_BRANCH)).toBe(syncHead);
  });
});
