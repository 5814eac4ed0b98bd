/**
 * An IdP's first import over HTTP into `serve` (a child process, as deployed): 10k users, 1k groups and 20k
 * memberships (one member per PATCH, as Entra sends them), 12 requests in flight. Then the wait until the
 * sync branch holds everything. Goal (issue 3): ≤ 20 commits on scim-gitops/sync.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { oktaUser } from "../test/scim/support/scim-server.js";
import { sendScim } from "../test/server/send-scim.js";
import { startServeProcess, waitForFlush } from "../test/server/serve-process.js";

const TOKEN = "import-burst-token-5d1e9a7c";
const USERS = 10_000;
const GROUPS = 1_000;
const MEMBERSHIPS = 20_000;
const IN_FLIGHT = 12;
const PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
let throttled = 0;

type Send = (method: string, path: string, body: unknown) => Promise<{ status: number; text: string }>;

function client(root: string): { send: Send; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  /** As an IdP does: a 429 is retried after its Retry-After. */
  const send: Send = async (method, path, body) => {
    for (;;) {
      const reply = await sendScim(agent, `${root}${path}`, TOKEN, method, body);
      if (reply.status !== 429) return reply;
      throttled++;
      await new Promise((resolve) => setTimeout(resolve, Number(reply.retryAfter ?? "1") * 1000));
    }
  };
  return { send, close: () => agent.destroy() };
}

/** Runs `work` over `count` items with IN_FLIGHT at a time; returns each request's latency in ms. */
async function burst(count: number, work: (index: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const index = next++;
        const started = performance.now();
        await work(index);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
}

function expectStatus(what: string, reply: { status: number; text: string }, wanted: number[]): void {
  if (!wanted.includes(reply.status)) throw new Error(`${what}: ${reply.status} ${reply.text.slice(0, 200)}`);
}

export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "import-burst-"));
  const repoPath = join(scratch, "repo");
  const serve = await startServeProcess({
    dataDir: join(scratch, "data"),
    repoPath,
    env: { SCIM_TOKEN: TOKEN },
  });
  const { send, close } = client(serve.scimUrl);
  try {
    const userIds: string[] = [];
    const groupIds: string[] = [];
    const started = performance.now();
    const userMs = await burst(USERS, async (n) => {
      const reply = await send("POST", "/Users", oktaUser(`burst.user${n}@example.com`));
      expectStatus("POST /Users", reply, [201]);
      userIds[n] = (JSON.parse(reply.text) as { id: string }).id;
    });
    const usersDone = performance.now();
    const groupMs = await burst(GROUPS, async (n) => {
      const reply = await send("POST", "/Groups", {
        schemas: [GROUP_URN],
        displayName: `burst-team-${n}`,
        members: [],
      });
      expectStatus("POST /Groups", reply, [201]);
      groupIds[n] = (JSON.parse(reply.text) as { id: string }).id;
    });
    const groupsDone = performance.now();
    const patchMs = await burst(MEMBERSHIPS, async (n) => {
      const group = groupIds[n % GROUPS]!;
      // Twenty distinct members per group, spread over all users.
      const member = userIds[(((n % GROUPS) * 20 + Math.floor(n / GROUPS)) * 7919) % USERS]!;
      const reply = await send("PATCH", `/Groups/${group}`, {
        schemas: [PATCH_URN],
        Operations: [{ op: "Add", path: "members", value: [{ value: member }] }],
      });
      expectStatus("PATCH /Groups", reply, [200, 204]);
    });
    const lastAck = new Date();
    const importDone = performance.now();
    const state = await waitForFlush(serve.origin, lastAck, 120_000);
    const flushed = performance.now();

    const commits = Number(
      execFileSync("git", ["-C", repoPath, "rev-list", "--count", "scim-gitops/sync", "^main"], {
        encoding: "utf8",
      }).trim(),
    );
    const files = execFileSync("git", ["-C", repoPath, "ls-tree", "-r", "--name-only", "scim-gitops/sync"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    })
      .split("\n")
      .filter((path) => path.includes("/identities/")).length;
    const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
    const fsyncs = /^scim_gitops_ledger_fsyncs_total (\d+)/m.exec(metrics)?.[1] ?? "?";

    const requests = USERS + GROUPS + MEMBERSHIPS;
    const seconds = (importDone - started) / 1000;
    const all = [...userMs, ...groupMs, ...patchMs];
    const line = (label: string, ms: number[], from: number, to: number) =>
      console.log(
        `  ${label.padEnd(26)} ${((to - from) / 1000).toFixed(1)} s, ${(ms.length / ((to - from) / 1000)).toFixed(0)} req/s, p50 ${percentile(ms, 0.5).toFixed(1)} ms, p99 ${percentile(ms, 0.99).toFixed(1)} ms`,
      );
    console.log(`import burst over HTTP, ${IN_FLIGHT} requests in flight, serve in a child process:`);
    line(`${USERS} POST /Users`, userMs, started, usersDone);
    line(`${GROUPS} POST /Groups`, groupMs, usersDone, groupsDone);
    line(`${MEMBERSHIPS} PATCH add member`, patchMs, groupsDone, importDone);
    console.log(
      `  total ${requests} requests in ${seconds.toFixed(1)} s: ${(requests / seconds).toFixed(0)} req/s, p99 ${percentile(all, 0.99).toFixed(1)} ms; ${throttled} answered 429 and retried after Retry-After; ${fsyncs} ledger fsyncs (group commit: ${(requests / Number(fsyncs)).toFixed(1)} writes per fsync)`,
    );
    console.log(
      `  everything on scim-gitops/sync ${((flushed - importDone) / 1000).toFixed(1)} s after the last acknowledgement; ${((flushed - started) / 1000).toFixed(1)} s in all`,
    );
    console.log(
      `  sync branch: ${commits} commits (goal ≤ 20: ${commits <= 20 ? "met" : "MISSED"}), ${files} identity files, ${state.flush.flushes} flushes`,
    );
  } finally {
    close();
    await serve.stop("SIGTERM");
    await rm(scratch, { recursive: true, force: true });
  }
}
