/**
 * kill -9 during an import of 1,000 users (issue 3): after a restart on the same data directory and
 * repository, the sync branch holds every user whose POST got 201 exactly once, under the id it was
 * given; users whose POST was in flight may be there (once) or not; nothing else appears.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oktaUser } from "../scim/support/scim-server.js";
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

function post(agent: Agent, url: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        "Content-Type": "application/scim+json",
        "Content-Length": Buffer.byteLength(payload),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

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

describe("kill -9 during an import", () => {
  it("loses no acknowledged user and duplicates none after a restart", async () => {
    const dataDir = join(scratch, "data");
    const repoPath = join(scratch, "repo");
    const env = { SCIM_TOKEN: TOKEN };
    const first = await startServeProcess({ dataDir, repoPath, env });
    running.push(first);

    const killAfter = 100 + Math.floor(Math.random() * 800);
    const acknowledged = new Map<string, string>();
    const attempted = new Set<string>();
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < USERS && !killed) {
          const userName = `crash.user${next++}@example.com`;
          attempted.add(userName);
          try {
            const reply = await post(agent, `${first.scimUrl}/Users`, oktaUser(userName));
            if (reply.status === 201)
              acknowledged.set(userName, (JSON.parse(reply.text) as { id: string }).id);
            else if (!killed) throw new Error(`POST ${userName}: ${reply.status} ${reply.text}`);
          } catch (error) {
            if (!killed) throw error;
          }
          if (acknowledged.size >= killAfter && !killed) {
            killed = true;
            first.child.kill("SIGKILL");
          }
        }
      }),
    );
    agent.destroy();
    expect(await first.stop("SIGKILL")).toBeNull();
    console.log(`killed after ${acknowledged.size} acknowledged of ${attempted.size} attempted POSTs`);

    const restartedAt = new Date();
    const second = await startServeProcess({ dataDir, repoPath, env });
    running.push(second);
    await waitForFlush(second.origin, restartedAt);
    expect(second.stderr()).toMatch(/took over the lock of process \d+/);

    const onBranch = usersOnBranch(repoPath, "scim-gitops/sync").filter((user) =>
      user.userName.startsWith("crash.user"),
    );
    const names = onBranch.map((user) => user.userName);
    expect(names.length - new Set(names).size).toBe(0);
    const idOf = new Map(onBranch.map((user) => [user.userName, user.id]));
    const lost = [...acknowledged].filter(([userName, id]) => idOf.get(userName) !== id);
    expect(lost).toEqual([]);
    expect(names.filter((userName) => !attempted.has(userName))).toEqual([]);
    expect(onBranch.length).toBeGreaterThanOrEqual(acknowledged.size);
    expect(onBranch.length).toBeLessThanOrEqual(acknowledged.size + CONCURRENCY);

    const passwordSearch = spawnSync("git", ["-C", repoPath, "grep", "-l", "1mP0ssible", "scim-gitops/sync"]);
    expect(passwordSearch.status).toBe(1);
    expect(spawnSync("grep", ["-rl", "1mP0ssible", dataDir]).status).toBe(1);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 120_000);
});
