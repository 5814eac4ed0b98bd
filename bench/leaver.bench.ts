/**
 * Issue 11, the leaver end to end: `scim-gitops serve --apply-on-merge` (the built CLI, a child process) on
 * a policy repository holding the 10k users × 500 roles × 2k namespaces policy, the Pulsar fake as
 * PULSAR_ADMIN_URL, a real nats-server with the auth callout. The leaver holds Pulsar grants in several
 * namespaces and a live NATS connection through the callout. From the 2xx of the SCIM deactivation (over
 * HTTP, as Okta sends it) to (a) the emergency merge on main (serve's log line), (b) the NATS connection
 * closed (the client's own event), (c) the Pulsar grants gone as the admin API reads them (polled GETs).
 * Goal: all three within 3 s. BENCH_RUNS leavers (default 3), one after another; the median is the figure.
 * SERVE_CPU_PROF=DIR writes a --cpu-prof profile of serve (each of its threads) into DIR.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Events, type NatsConnection } from "nats";
import type { EffectiveAccess } from "../src/policy/model/effective-access.js";
import { openGitPolicyRepo } from "../src/repos/git/open-git-policy-repo.js";
import { natsPolicy } from "../src/targets/nats/policy/nats-policy.js";
import type { NatsGrant } from "../src/targets/nats/policy/nats-model.js";
import { startFakePulsarAdmin, type FakePulsarAdmin } from "../test/fakes/pulsar-admin/server.js";
import { startWorld, type NatsWorld } from "../test/nats/fixture.js";
import { sendScim } from "../test/server/send-scim.js";
import { startServeProcess, type ServeProcess } from "../test/server/serve-process.js";
import { cpuProfileArgs } from "./cpu-profile.js";
import { userName, uuid } from "./generate-policy.js";
import { grantedNamespaces, seedPulsarInSync } from "./in-sync-cluster.js";
import { largePolicy } from "./large-policy.js";

const GOAL_MS = 3_000;
const NOW = new Date();
const SCIM_TOKEN = "leaver-bench-scim-token-0123456789";
const PULSAR_TOKEN = "leaver-bench-pulsar-superuser";
const POLL_MS = 20;
const GIVE_UP_MS = 120_000;
/** The accounts the bench's nats-server has: a leaver must hold their NATS grant in one of them. */
const SERVER_ACCOUNTS = new Set(["APP", "PAYMENTS"]);

interface Leaver {
  readonly id: string;
  readonly userName: string;
  readonly account: string;
  readonly namespaces: readonly string[];
}

interface Breakdown {
  readonly mergedMs: number;
  readonly natsClosedMs: number;
  readonly pulsarGoneMs: number;
}

export async function run(): Promise<void> {
  const runs = Number(process.env["BENCH_RUNS"] ?? 3);
  const scratch = await mkdtemp(join(tmpdir(), "leaver-bench-"));
  const { files, settings, desired } = largePolicy(NOW);
  const leavers = pickLeavers(desired, runs);

  let world: NatsWorld | undefined;
  let pulsar: FakePulsarAdmin | undefined;
  let serve: ServeProcess | undefined;
  try {
    const source = join(scratch, "source");
    for (const [path, text] of files) {
      await mkdir(dirname(join(source, path)), { recursive: true });
      await writeFile(join(source, path), text);
    }
    const repoPath = join(scratch, "repo");
    await openGitPolicyRepo(repoPath, { createFrom: source });
    pulsar = await startFakePulsarAdmin({ tokens: { [PULSAR_TOKEN]: "admin" }, superUserRoles: ["admin"] });
    const grants = seedPulsarInSync(pulsar, desired, settings);
    world = await startWorld();
    await world.startService();

    const setupStarted = performance.now();
    serve = await startServeProcess({
      dataDir: join(scratch, "data"),
      repoPath,
      args: ["--apply-on-merge"],
      nodeArgs: cpuProfileArgs(process.env["SERVE_CPU_PROF"]),
      startTimeoutMs: 120_000,
      env: {
        SCIM_TOKEN,
        PULSAR_ADMIN_URL: pulsar.url,
        PULSAR_TOKEN,
        NATS_URL: world.server.url,
        NATS_USER: world.server.auth.user,
        NATS_PASSWORD: world.server.auth.password,
        NATS_SYS_USER: world.server.sys.user,
        NATS_SYS_PASSWORD: world.server.sys.password,
      },
    });
    // serve applies main at start: the NATS bucket is filled by that apply, Pulsar is already in sync.
    await waitForApplies(serve, 1, 600_000);
    const pulsarLine = /apply-on-merge: pulsar: .*/.exec(serve.stderr())?.[0] ?? "no pulsar line";
    console.log(
      `setup: ${files.size} policy files, ${grants} Pulsar grants in ${pulsar.state.namespaces.size} namespaces, ` +
        `first apply by serve in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s (${pulsarLine.trim()})`,
    );

    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const results: Breakdown[] = [];
    for (const [index, leaver] of leavers.entries()) {
      const breakdown = await leave(serve, world, pulsar, agent, leaver, index + 1);
      results.push(breakdown);
      console.log(
        `run ${index + 1}: ${leaver.namespaces.length} namespaces, NATS account ${leaver.account}: ` +
          `merged ${fmt(breakdown.mergedMs)}, NATS closed ${fmt(breakdown.natsClosedMs)}, ` +
          `Pulsar grants gone ${fmt(breakdown.pulsarGoneMs)} after the 2xx`,
      );
    }
    agent.destroy();
    const median = (pick: (each: Breakdown) => number) => medianOf(results.map(pick));
    const worst = median((each) => Math.max(each.mergedMs, each.natsClosedMs, each.pulsarGoneMs));
    console.log(
      `leaver cut, median of ${results.length}: all three ${fmt(worst)} (goal ≤ ${fmt(GOAL_MS)}, ${worst <= GOAL_MS ? "met" : "MISSED"}); ` +
        `(a) emergency merge ${fmt(median((each) => each.mergedMs))}, (b) NATS connection closed ${fmt(median((each) => each.natsClosedMs))}, ` +
        `(c) Pulsar grants gone ${fmt(median((each) => each.pulsarGoneMs))}`,
    );
    console.log(
      `baseline: the issue's starting point had no end-to-end figure; machine load average ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores`,
    );
  } catch (error) {
    if (serve !== undefined) console.error(`serve's log, the end:\n${serve.stderr().slice(-6000)}`);
    throw error;
  } finally {
    const code = await serve?.stop();
    if (serve !== undefined && code !== 0) console.error(`serve exited with ${code}:\n${serve.stderr()}`);
    await world?.stop();
    await pulsar?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** People with grants in several namespaces and exactly one NATS grant, in an account the server has. */
function pickLeavers(desired: EffectiveAccess, count: number): Leaver[] {
  const leavers: Leaver[] = [];
  for (let index = 17; leavers.length < count && index < 10_000; index += 97) {
    const name = userName(index);
    const grants = (natsPolicy.accessOf(desired).principals.get(name)?.grants ?? []) as NatsGrant[];
    const namespaces = grantedNamespaces(desired, name);
    const account = grants[0]?.account;
    if (grants.length !== 1 || account === undefined || !SERVER_ACCOUNTS.has(account)) continue;
    if (namespaces.length < 3) continue;
    leavers.push({ id: uuid(index), userName: name, account, namespaces });
  }
  if (leavers.length < count) throw new Error(`only ${leavers.length} leavers fit the bench`);
  return leavers;
}

async function leave(
  serve: ServeProcess,
  world: NatsWorld,
  pulsar: FakePulsarAdmin,
  agent: Agent,
  leaver: Leaver,
  run: number,
): Promise<Breakdown> {
  const applies = appliesSoFar(serve);
  const nc = await world.connectAs(leaver.userName, {
    user: leaver.account,
    pass: await world.oidc.mint(leaver.userName),
    maxReconnectAttempts: 0,
  });
  await assertHolds(pulsar, leaver);
  const natsClosed = closedAt(nc);
  const logFrom = serve.stderr().length;
  const response = await sendScim(agent, `${serve.scimUrl}/Users/${leaver.id}`, SCIM_TOKEN, "PATCH", {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "replace", value: { active: false } }],
  });
  const acknowledged = performance.now();
  const acknowledgedAt = Date.now();
  if (response.status !== 200) throw new Error(`run ${run}: the deactivation got ${response.status}`);
  const merged = (async () => {
    const pattern = new RegExp(`emergency deactivated of user ${leaver.id}: merged`, "i");
    while (!pattern.test(serve.stderr().slice(logFrom))) await pause(acknowledged, "the emergency merge");
    return performance.now();
  })();
  const pulsarGone = (async () => {
    while (await holdsAny(pulsar, leaver)) await pause(acknowledged, "the Pulsar revocation");
    return performance.now();
  })();
  const [mergedAt, closed, goneAt] = await Promise.all([merged, natsClosed, pulsarGone]);
  // The next leaver starts from a quiet service: this apply finished, nothing queued behind it.
  await waitForApplies(serve, applies + 1, GIVE_UP_MS);
  if (process.env["BENCH_TRACE"] === "1") trace(serve.stderr().slice(logFrom), acknowledgedAt);
  return {
    mergedMs: mergedAt - acknowledged,
    natsClosedMs: closed - acknowledged,
    pulsarGoneMs: goneAt - acknowledged,
  };
}

/** Where the time went, from serve's own log: each line's time after the 2xx (BENCH_TRACE=1). */
function trace(log: string, acknowledgedAt: number): void {
  for (const line of log.split("\n")) {
    const at = Date.parse(line.slice(0, 24));
    if (Number.isNaN(at)) continue;
    console.log(`  +${((at - acknowledgedAt) / 1000).toFixed(2)} s ${line.slice(25, 200)}`);
  }
}

async function pause(since: number, what: string): Promise<void> {
  if (performance.now() - since > GIVE_UP_MS) throw new Error(`no ${what} within ${GIVE_UP_MS} ms`);
  await sleep(POLL_MS);
}

/** When the client learns its connection is gone (a kick is a disconnect; with no reconnects, a close). */
async function closedAt(nc: NatsConnection): Promise<number> {
  const disconnected = (async () => {
    for await (const status of nc.status()) if (status.type === Events.Disconnect) return;
  })();
  await Promise.race([nc.closed(), disconnected]);
  return performance.now();
}

/** Reads the leaver's grants the way an operator checks them: `GET …/permissions` on each namespace. */
async function holdsAny(pulsar: FakePulsarAdmin, leaver: Leaver): Promise<boolean> {
  const held = await Promise.all(
    leaver.namespaces.map(async (namespace) => {
      const response = await fetch(`${pulsar.url}/admin/v2/namespaces/${namespace}/permissions`, {
        headers: { authorization: `Bearer ${PULSAR_TOKEN}` },
      });
      const permissions = (await response.json()) as Record<string, unknown>;
      return Object.hasOwn(permissions, leaver.userName);
    }),
  );
  return held.some(Boolean);
}

async function assertHolds(pulsar: FakePulsarAdmin, leaver: Leaver): Promise<void> {
  if (!(await holdsAny(pulsar, leaver))) throw new Error(`${leaver.userName} holds no Pulsar grant to lose`);
}

interface ApplyHealth {
  readonly applyOnMerge?: { readonly runs: number; readonly failures: number };
}

function appliesSoFar(serve: ServeProcess): number {
  return (serve.stderr().match(/apply-on-merge: main [0-9a-f]{12} /g) ?? []).length;
}

/** Waits for serve's `runs`-th apply to end, and fails the bench when one did not apply cleanly. */
async function waitForApplies(serve: ServeProcess, runs: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const health = (await (await fetch(`${serve.origin}/healthz`)).json()) as ApplyHealth;
    const state = health.applyOnMerge;
    if (state !== undefined && state.failures > 0) {
      throw new Error(`serve's apply failed:\n${serve.stderr().slice(-4000)}`);
    }
    if (state !== undefined && state.runs >= runs) return;
    if (performance.now() - started > timeoutMs) throw new Error(`no apply within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
