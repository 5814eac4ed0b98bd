/**
 * The proposer on its own worker thread, as `serve` runs it in embedded mode (issue 11): the built module
 * (the thread loads dist/server/background/background-thread-entry.js, which `npm test` builds first), a real
 * journal ledger and a real git repository. It must behave as the in-process proposer does: what the
 * ledger acknowledges reaches the sync branch, an emergency merges, and nothing reads as flushed early.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Proposer } from "../../../src/proposals/proposer.js";
import type * as ThreadModule from "../../../src/server/background/background-thread.js";
import { SYNC_BRANCH } from "../../../src/proposals/sync-branch.js";
import { patch, put } from "../../proposals/ledger-writes.js";
import type { Fixture } from "../../proposals/policy-fixture.js";
import { ALICE_ID, makeFixture, scimUser } from "../../proposals/policy-fixture.js";

const BUILT = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "dist",
  "server",
  "background",
  "background-thread.js",
);
const { startBackgroundThread } = (await import(BUILT)) as typeof ThreadModule;

const CAROL_ID = "c0ffee00-0000-4000-8000-00000000000c";
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let fixture: Fixture;
let proposer: Proposer | undefined;
const lines: string[] = [];

afterEach(async () => {
  await proposer?.close();
  proposer = undefined;
  lines.length = 0;
  await fixture.ledger.close();
  await rm(fixture.scratch, { recursive: true, force: true });
});

function start(repoPath = join(fixture.scratch, "repo")): Proposer {
  proposer = startBackgroundThread({
    ledger: fixture.ledger,
    repoPath,
    policyDir: "policies",
    settings: { debounceMs: 60_000, maxWaitMs: 60_000, watchMainMs: 0 },
    log: {
      info: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
      error: (line: string) => lines.push(line),
    },
  }).proposer;
  return proposer;
}

describe("the proposer thread", () => {
  it("puts what the ledger acknowledged on the sync branch, and counts it pending until then", async () => {
    fixture = await makeFixture();
    const running = start();
    await put(fixture.ledger, "User", scimUser(CAROL_ID, "carol@example.com", "Carol Example"));
    // Acknowledged, still on its way to the thread or waiting out the debounce: never reported as flushed.
    expect(running.state().pendingChanges).toBe(1);
    await running.flush();
    expect(running.state()).toMatchObject({ pendingChanges: 0, syncCommits: 1 });
    const sync = await fixture.repo.head(SYNC_BRANCH);
    expect(
      await fixture.repo.readFile(sync ?? "", "policies/identities/users/carol-example-com.yaml"),
    ).toContain("userName: carol@example.com");
  });

  it("merges a leaver's emergency revocation into main and tells the service main moved", async () => {
    fixture = await makeFixture();
    const running = start();
    const moves: string[] = [];
    running.onMainMoved((head) => moves.push(head));
    await patch(fixture.ledger, "User", ALICE_ID, { active: false });
    await expect.poll(() => running.state().emergencies.merged, { timeout: 20_000 }).toBe(1);
    const main = await fixture.repo.head("main");
    expect(await fixture.repo.readFile(main ?? "", ALICE_FILE)).toContain("active: false");
    await expect.poll(() => moves, { timeout: 5_000 }).toContain(main);
  });

  it("says so when the thread cannot start, and a flush is refused rather than waiting forever", async () => {
    fixture = await makeFixture();
    const running = start(join(fixture.scratch, "not-a-repository"));
    await expect(running.flush()).rejects.toThrow(/not a git repository|proposer thread/);
    expect(running.state().lastError).toMatch(/proposer thread/);
    expect(lines.join("\n")).toContain("the proposer thread stopped");
  });
});
