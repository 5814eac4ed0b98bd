/**
 * The proposer under an IdP import burst: 10k users + 1k groups + 20k memberships arrive at a steady SCIM
 * rate; goal ≤ 20 commits on the sync branch (issue 3). Then, with those 10k users merged into main, the
 * time from a deactivation to its emergency merge (goal: seconds, not the debounce), sent over HTTP to
 * `serve` for a leaver who holds grants (issue 11).
 */
import { execFileSync } from "node:child_process";
import { Agent } from "node:http";
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
import { sendScim } from "../test/server/send-scim.js";
import { startServeProcess } from "../test/server/serve-process.js";

const USERS = 10_000;
const GROUPS = 1_000;
const MEMBERSHIPS = 20_000;
/** SCIM writes per second during the import: above the ≥ 500 req/s the SCIM service must sustain. */
const RATE = 2_000;
const SCIM_TOKEN = "proposals-bench-scim-token-0123456789";
/** bob@example.com of the bundled examples: payments-engineers, so payments-writer's grants. */
const LEAVER_ID = "7f3c2a10-5d1e-4b7a-9c21-0a1b2c3d4e02";

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
    await proposer.close();
    await emergencyThroughServe(repo.path, join(scratch, "data"));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The emergency as an IdP causes it: `serve` (a child process) on that repository, 10k users on main, and
 * a leaver who holds grants (bob, payments-engineers → payments-writer) deactivated by a SCIM PATCH over
 * HTTP; timed from its 2xx to serve's log line of the merge.
 */
async function emergencyThroughServe(repoPath: string, dataDir: string): Promise<void> {
  const serve = await startServeProcess({ dataDir, repoPath, env: { SCIM_TOKEN }, startTimeoutMs: 120_000 });
  const agent = new Agent({ keepAlive: true });
  try {
    await settled(serve.origin);
    const from = serve.stderr().length;
    const reply = await sendScim(agent, `${serve.scimUrl}/Users/${LEAVER_ID}`, SCIM_TOKEN, "PATCH", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    const acknowledged = performance.now();
    if (reply.status !== 200) throw new Error(`the deactivation got ${reply.status}: ${reply.text}`);
    const merged =
      /emergency [^\n]*: merged \(scim-gitops\/emergency\/bob-example-com-[^\n]*revoked (\d+) permission/;
    let match: RegExpExecArray | null = null;
    while ((match = merged.exec(serve.stderr().slice(from))) === null) {
      if (performance.now() - acknowledged > 120_000) throw new Error(`no merge:\n${serve.stderr()}`);
      await sleep(10);
    }
    console.log(
      `emergency with ${USERS} users on main, through serve over HTTP: bob (${match[1]} permissions to lose) merged ` +
        `${(performance.now() - acknowledged).toFixed(0)} ms after the 2xx of the deactivation (goal < 5000 ms; debounce not awaited)`,
    );
  } finally {
    agent.destroy();
    const code = await serve.stop();
    if (code !== 0) console.error(`serve exited with ${code}:\n${serve.stderr()}`);
  }
}

/** Waits until serve's start-up work (recovering deactivations the repository missed) is done. */
async function settled(origin: string): Promise<void> {
  let quiet = 0;
  while (quiet < 3) {
    const health = (await (await fetch(`${origin}/healthz`)).json()) as {
      flush: { pendingChanges: number; emergencies: { queued: number; retrying: number } };
    };
    const { pendingChanges, emergencies } = health.flush;
    quiet = pendingChanges + emergencies.queued + emergencies.retrying === 0 ? quiet + 1 : 0;
    await sleep(200);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
