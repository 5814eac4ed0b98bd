/**
 * kill -9 during an import of 1,000 users (issue 3): after a restart on the same data directory and
 * repository, the sync branch holds every user whose POST got 201 exactly once, under the id it was
 * given; users whose POST was in flight may be there (once) or not; nothing else appears.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oktaUser } from "../scim/support/scim-server.js";
import { sendScim } from "../server/send-scim.js";
import { startServeProcess, waitForFlush, type ServeProcess } from "../server/serve-process.js";

const TOKEN = "crash-test-token-0c5a9e1f7b3d";
const USERS = 1_000;
const CONCURRENCY = 16;

let scratch: string;
const running: ServeProcess[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "crash-test-"));
});

afterAll(async () => {
  await Promise.all(running.map((serve) => serve.stop("SIGKILL")));
  await rm(scratch, { recursive: true, force: true });
});

/** userName → id for every user file on the branch, each path listed (so a duplicate shows). */
function usersOnBranch(repo: string, branch: string): { userName: string; id: string }[] {
  const output = execFileSync(
    "git",
    ["-C", repo, "grep", "-e", "^id:", "-e", "^userName:", branch, "--", "policies/identities/users"],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const byFile = new Map<string, { userName?: string; id?: string }>();
  for (const line of output.split("\n").filter((entry) => entry !== "")) {
    const match = /^[^:]+:([^:]+):(id|userName): *"?([^"]*)"?$/.exec(line);
    if (match === null) continue;
    const entry = byFile.get(match[1]!) ?? {};
    entry[match[2] as "id" | "userName"] = match[3]!;
    byFile.set(match[1]!, entry);
  }
  return [...byFile.values()].map((entry) => ({ userName: entry.userName ?? "", id: entry.id ?? "" }));
}

interface ImportOutcome {
  /** userName → the id its 201 carried. */
  readonly acknowledged: Map<string, string>;
  /** Every userName POSTed, answered or not. */
  readonly attempted: Set<string>;
}

/** POSTs Okta-shaped users, CONCURRENCY in flight, and sends `signal` once `stopAfter` were acknowledged. */
async function importUntil(
  serve: ServeProcess,
  stopAfter: number,
  signal: NodeJS.Signals,
): Promise<ImportOutcome> {
  const acknowledged = new Map<string, string>();
  const attempted = new Set<string>();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let stopped = false;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < USERS && !stopped) {
        const userName = `crash.user${next++}@example.com`;
        attempted.add(userName);
        try {
          const reply = await sendScim(agent, `${serve.scimUrl}/Users`, TOKEN, "POST", oktaUser(userName));
          if (reply.status === 201) acknowledged.set(userName, (JSON.parse(reply.text) as { id: string }).id);
          else if (!stopped) throw new Error(`POST ${userName}: ${reply.status} ${reply.text}`);
        } catch (error) {
          if (!stopped) throw error;
        }
        if (acknowledged.size >= stopAfter && !stopped) {
          stopped = true;
          serve.child.kill(signal);
        }
      }
    }),
  );
  agent.destroy();
  console.log(`${signal} after ${acknowledged.size} acknowledged of ${attempted.size} attempted POSTs`);
  return { acknowledged, attempted };
}

/** Every acknowledged user once under its id; nothing unattempted; no more than the in-flight ones extra. */
function expectBranchHolds(
  repoPath: string,
  dataDir: string,
  { acknowledged, attempted }: ImportOutcome,
): void {
  const onBranch = usersOnBranch(repoPath, "scim-gitops/sync").filter((user) =>
    user.userName.startsWith("crash.user"),
  );
  const names = onBranch.map((user) => user.userName);
  expect(names.length - new Set(names).size).toBe(0);
  const idOf = new Map(onBranch.map((user) => [user.userName, user.id]));
  const lost = [...acknowledged].filter(([userName, id]) => idOf.get(userName) !== id);
  expect(lost).toEqual([]);
  expect(names.filter((userName) => !attempted.has(userName))).toEqual([]);
  expect(onBranch.length).toBeLessThanOrEqual(acknowledged.size + CONCURRENCY);
  const passwordSearch = spawnSync("git", ["-C", repoPath, "grep", "-l", "1mP0ssible", "scim-gitops/sync"]);
  expect(passwordSearch.status).toBe(1);
  expect(spawnSync("grep", ["-rl", "1mP0ssible", dataDir]).status).toBe(1);
}

describe("stopping serve during an import", () => {
  it("kill -9: loses no acknowledged user and duplicates none after a restart", async () => {
    const dataDir = join(scratch, "kill-data");
    const repoPath = join(scratch, "kill-repo");
    const env = { SCIM_TOKEN: TOKEN };
    const first = await startServeProcess({ dataDir, repoPath, env });
    running.push(first);
    const outcome = await importUntil(first, 100 + Math.floor(Math.random() * 800), "SIGKILL");
    expect(await first.stop("SIGKILL")).toBeNull();

    const restartedAt = new Date();
    const second = await startServeProcess({ dataDir, repoPath, env });
    running.push(second);
    await waitForFlush(second.origin, restartedAt);
    expect(second.stderr()).toMatch(/took over the lock of process \d+/);
    expectBranchHolds(repoPath, dataDir, outcome);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 120_000);

  it("SIGTERM: finishes the requests in flight, flushes them all to the sync branch and exits 0", async () => {
    const dataDir = join(scratch, "term-data");
    const repoPath = join(scratch, "term-repo");
    const serve = await startServeProcess({ dataDir, repoPath, env: { SCIM_TOKEN: TOKEN } });
    running.push(serve);
    const outcome = await importUntil(serve, 100 + Math.floor(Math.random() * 400), "SIGTERM");
    expect(await serve.stop("SIGTERM")).toBe(0);
    expect(serve.stderr()).toMatch(/SIGTERM: stopping/);
    expectBranchHolds(repoPath, dataDir, outcome);
  }, 120_000);
});
