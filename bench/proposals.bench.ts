/**
 * The proposer under an IdP import burst: 10k users + 1k groups + 20k memberships arrive at a steady SCIM
 * rate; goal ≤ 20 commits on the sync branch (issue 3). Then, with those 10k users merged into main, the
 * time from a deactivation to its emergency merge (goal: seconds, not the debounce).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readLedgerSeed } from "../src/proposals/ledger-seed.js";
import { startProposer } from "../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../src/proposals/sync-branch.js";
import { BUNDLED_POLICIES, openGitPolicyRepo } from "../src/repos/git/open-git-policy-repo.js";
import { MemoryLedger } from "../test/proposals/memory-ledger.js";
import { scimGroup, scimUser } from "../test/proposals/policy-fixture.js";
import { put } from "../test/proposals/ledger-writes.js";

const USERS = 10_000;
const GROUPS = 1_000;
const MEMBERSHIPS = 20_000;
/** SCIM writes per second during the import: above the ≥ 500 req/s the SCIM service must sustain. */
const RATE = 2_000;

export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "proposals-bench-"));
  try {
    const repo = await openGitPolicyRepo(join(scratch, "repo"), { createFrom: BUNDLED_POLICIES });
    const ledger = new MemoryLedger();
    const seed = await readLedgerSeed(repo);
    for (const user of seed.users) await put(ledger, "User", user);
    for (const group of seed.groups) await put(ledger, "Group", group);
    const flushMs: number[] = [];
    const proposer = startProposer({ ledger, repo, watchMainMs: 0 });
    let lastFlushes = 0;
    const sample = setInterval(() => {
      const state = proposer.state();
      if (state.flushes !== lastFlushes && state.lastFlushMs !== undefined) flushMs.push(state.lastFlushMs);
      lastFlushes = state.flushes;
    }, 20);

    const operations: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < USERS; i++) {
      operations.push(() => put(ledger, "User", scimUser(`u-${i}`, `user${i}@example.com`, `User ${i}`)));
    }
    for (let g = 0; g < GROUPS; g++) {
      operations.push(() => put(ledger, "Group", scimGroup(`g-${g}`, `team-${g}`, [])));
    }
    for (let m = 0; m < MEMBERSHIPS; m++) {
      const group = `g-${m % GROUPS}`;
      const user = `u-${(m * 7919) % USERS}`;
      operations.push(() =>
        ledger.update("Group", group, "patch", (current) => ({
          ...(current ?? { id: group }),
          members: [...((current?.["members"] as { value: string }[] | undefined) ?? []), { value: user }],
        })),
      );
    }
    const started = performance.now();
    for (let i = 0; i < operations.length; i++) {
      await operations[i]?.();
      const due = (i + 1) / RATE - (performance.now() - started) / 1000;
      if (due > 0.005) await sleep(due * 1000);
    }
    const imported = performance.now() - started;
    await proposer.flush();
    const total = performance.now() - started;
    clearInterval(sample);
    const commits = Number(
      execFileSync("git", ["rev-list", "--count", `main..${SYNC_BRANCH}`], {
        cwd: repo.path,
        encoding: "utf8",
      }),
    );
    const files = (await repo.readFiles(SYNC_BRANCH, "policies/identities")).size;
    console.log(`import: ${operations.length} SCIM writes at ${RATE}/s in ${(imported / 1000).toFixed(1)} s`);
    console.log(
      `sync branch: ${commits} commits (goal ≤ 20), ${files} identity files, all flushed ${((total - imported) / 1000).toFixed(2)} s after the last write`,
    );
    console.log(
      `flush latency: max ${Math.max(...flushMs)} ms, median ${median(flushMs)} ms over ${flushMs.length} flushes (goal: well under the 5 s max wait)`,
    );

    const syncHead = (await repo.head(SYNC_BRANCH)) ?? "";
    await repo.merge({ branch: SYNC_BRANCH, head: syncHead, into: "main", message: "Merge the import\n" });
    await proposer.flush();
    const deactivated = performance.now();
    await ledger.update("User", "u-42", "patch", (current) => ({
      ...(current ?? { id: "u-42" }),
      active: false,
    }));
    while (proposer.state().emergencies.merged + proposer.state().emergencies.failed === 0) await sleep(5);
    const emergencyMs = performance.now() - deactivated;
    console.log(
      `emergency with ${USERS} users on main: merged ${emergencyMs.toFixed(0)} ms after the deactivation (goal < 5000 ms; debounce not awaited)`,
    );
    await proposer.close();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
