/**
 * SCIM under a real IdP's load, through `scim-gitops serve` itself (issue 11): the built CLI in a child
 * process with the proposer running, the journal's fsync on and the rate limiter at its default, holding
 * 10k users and 1k groups (990 of 20 members, 9 of 1,000, one of everyone). A load generator in another
 * process (scim-load-generator.ts) sends the Okta/Entra mix open-loop at 250, 500 and 1,000 req/s, each
 * request timed from the instant it was due. Goal: 1,000 req/s at p99 ≤ 20 ms. Baseline, in the same run:
 * the ledger without group commit (LEDGER_GROUP_COMMIT=off, every write its own fsync).
 *
 * BENCH_RUNS=3 prints medians of three runs; SCIM_LOAD_SECONDS changes the ~10 s per rate;
 * A third column, for the explanation rather than the figure: the same SCIM handler and ledger on the same
 * data, in a process without the proposer (scim-bare-server.ts).
 *
 * SCIM_LOAD_CPU_PROF=DIR writes a --cpu-prof profile of each server process into DIR; SCIM_LOAD_MODES
 * (serve,baseline,bare) picks the columns.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serialiseSnapshot, writeSnapshot } from "../src/ledger/snapshot-file.js";
import type { ScimResource } from "../src/ledger/ledger.js";
import type { BareFigures } from "./scim-bare-server.js";
import { buildStored } from "../src/scim/ingest.js";
import { normaliseResource } from "../src/scim/normalise.js";
import { groupSchema, userSchema } from "../src/scim/schemas.js";
import { startServeProcess, waitForFlush, type ServeProcess } from "../test/server/serve-process.js";
import type { LoadPlan, SeededGroup, SeededUser, StepResult } from "./scim-load-generator.js";
import { cpuProfileArgs } from "./cpu-profile.js";
import { report, type Measured, type Mode } from "./scim-serve-load-report.js";

const TOKEN = "scim-serve-load-token-3c9d1e";
const USERS = 10_000;
const GROUPS = 1_000;
const RATES = [250, 500, 1_000];
const GOAL = { rate: 1_000, p99Ms: 20 };
const SECONDS = Number(process.env.SCIM_LOAD_SECONDS ?? 10);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const CPU_PROF = process.env.SCIM_LOAD_CPU_PROF;
const SEEDED_AT = "2026-11-01T00:00:00.000Z";

const FIGURE: Mode = { label: "serve (group commit)", key: "serve", server: "serve", groupCommit: true };
const BASELINE: Mode = {
  label: "baseline: no group commit",
  key: "baseline",
  server: "serve",
  groupCommit: false,
};
const BARE: Mode = { label: "SCIM alone (diagnostic)", key: "bare", server: "bare", groupCommit: true };
// SCIM_LOAD_MODES=serve,bare picks columns (profiling runs); the default prints all three.
const MODES: readonly Mode[] = [FIGURE, BASELINE, BARE].filter((mode) =>
  (process.env.SCIM_LOAD_MODES ?? "serve,baseline,bare").split(",").includes(mode.key),
);

interface Seeded {
  readonly template: string;
  readonly users: SeededUser[];
  readonly groups: SeededGroup[];
}

const idOf = (kind: string, index: number) =>
  `${kind === "user" ? "5eed" : "9e0b"}0000-0000-4000-8000-${String(index).padStart(12, "0")}`;

/** Sizes: one group of everyone, nine of 1,000, the rest of 20, as an org with all-staff and departments. */
function membersOf(group: number): string[] {
  if (group === 0) return Array.from({ length: USERS }, (_, index) => idOf("user", index));
  const size = group < 10 ? 1_000 : 20;
  return Array.from({ length: size }, (_, k) => idOf("user", (group * 7_919 + k * 13) % USERS));
}

/**
 * The ledger snapshot an IdP's import leaves, built with the service's own normalise + store path so each
 * resource has exactly the shape a POST gives it, then one `serve` run to render it all onto main (as if
 * that import's sync branch was merged long ago). Copied for each measured serve.
 */
async function seed(scratch: string): Promise<Seeded> {
  const template = join(scratch, "template");
  const users: SeededUser[] = [];
  const stored: ScimResource[] = [];
  for (let index = 0; index < USERS; index++) {
    const userName = `person${index}@example.com`;
    const body = normaliseResource(userSchema, {
      schemas: [userSchema.urn],
      userName,
      name: { givenName: "Person", familyName: `Number ${index}` },
      emails: [{ primary: true, value: userName, type: "work" }],
      displayName: `Person ${index}`,
      locale: "en-US",
      externalId: `00u${index.toString(36).padStart(8, "0")}`,
      active: true,
    });
    users.push({ id: idOf("user", index), userName });
    stored.push(buildStored(userSchema, body, idOf("user", index), undefined, SEEDED_AT));
  }
  const groups: SeededGroup[] = [];
  const storedGroups: ScimResource[] = [];
  for (let index = 0; index < GROUPS; index++) {
    const displayName = index === 0 ? "everyone" : `team-${index}`;
    const members = membersOf(index);
    groups.push({ id: idOf("group", index), displayName, members });
    const body = normaliseResource(groupSchema, {
      schemas: [groupSchema.urn],
      displayName,
      members: members.map((value) => ({ value })),
    });
    storedGroups.push(buildStored(groupSchema, body, idOf("group", index), undefined, SEEDED_AT));
  }
  await mkdir(join(template, "data"), { recursive: true, mode: 0o700 });
  await writeSnapshot(
    join(template, "data", "snapshot.json"),
    serialiseSnapshot({ seq: 0, users: stored, groups: storedGroups }),
  );

  const started = performance.now();
  const serve = await startServeProcess({
    dataDir: join(template, "data"),
    repoPath: join(template, "repo"),
    env: { SCIM_TOKEN: TOKEN },
    startTimeoutMs: 120_000,
  });
  try {
    const since = new Date();
    const touched = await fetch(`${serve.scimUrl}/Users/${idOf("user", 0)}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "title", value: "Seeded" }],
      }),
    });
    if (touched.status !== 200) throw new Error(`seeding: PATCH answered ${touched.status}`);
    await waitForFlush(serve.origin, since, 300_000);
  } finally {
    await serve.stop("SIGTERM");
  }
  const repo = join(template, "repo");
  const sync = execFileSync("git", ["-C", repo, "rev-parse", "refs/heads/scim-gitops/sync"], {
    encoding: "utf8",
  }).trim();
  execFileSync("git", ["-C", repo, "update-ref", "refs/heads/main", sync]);
  console.log(
    `seeded ${USERS} users and ${GROUPS} groups (${groups.reduce((n, g) => n + g.members.length, 0)} ` +
      `memberships) into the ledger and onto main in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { template, users, groups };
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

async function ledgerFigures(serve: ServeProcess): Promise<{ fsyncs: number; seq: number }> {
  const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, "m").exec(metrics)?.[1] ?? 0);
  return { fsyncs: value("scim_gitops_ledger_fsyncs_total"), seq: value("scim_gitops_ledger_last_seq") };
}

function startGenerator(): ChildProcess {
  return fork(fileURLToPath(new URL("./scim-load-generator.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

async function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  const answer = once(child, "message") as Promise<[T]>;
  child.send(message as object);
  return (await answer)[0];
}

/** What a measurement needs of the server under test. */
interface Target {
  readonly scimUrl: string;
  readonly pid: number;
  ledgerFigures(): Promise<{ fsyncs: number; seq: number }>;
  /**
   * Waits until background work (the proposer's flush) has caught up; resolves to the proposer's sync
   * commits so far, or undefined where there is no proposer (or it did not catch up in two minutes).
   */
  settle(): Promise<number | undefined>;
  stop(): Promise<void>;
}

async function startServe(dataDir: string, repoPath: string, mode: Mode, profile: string): Promise<Target> {
  const serve = await startServeProcess({
    dataDir,
    repoPath,
    env: { SCIM_TOKEN: TOKEN, LEDGER_GROUP_COMMIT: mode.groupCommit ? "on" : "off" },
    nodeArgs: cpuProfileArgs(CPU_PROF === undefined ? undefined : profile),
    startTimeoutMs: 120_000,
  });
  return {
    scimUrl: serve.scimUrl,
    pid: serve.child.pid!,
    ledgerFigures: () => ledgerFigures(serve),
    // So one rate's proposer backlog is not charged to the next.
    settle: () =>
      waitForFlush(serve.origin, new Date(), 120_000).then(
        (state) => state.flush.syncCommits,
        () => undefined,
      ),
    stop: async () => void (await serve.stop("SIGTERM")),
  };
}

async function startBare(dataDir: string, profile: string): Promise<Target> {
  const child = fork(fileURLToPath(new URL("./scim-bare-server.ts", import.meta.url)), [dataDir, TOKEN], {
    execArgv: ["--import", "tsx", ...cpuProfileArgs(CPU_PROF === undefined ? undefined : profile)],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ root }] = (await once(child, "message")) as [{ root: string }];
  return {
    scimUrl: root,
    pid: child.pid!,
    ledgerFigures: () => ask<BareFigures>(child, "figures"),
    settle: () => Promise.resolve(undefined),
    stop: async () => {
      const exited = once(child, "exit");
      child.send("stop");
      await exited;
    },
  };
}

/** One server on a fresh copy of the seeded directory, driven at every rate in turn. */
async function measure(seeded: Seeded, mode: Mode, run: number, scratch: string): Promise<Measured[]> {
  const dir = join(scratch, `run-${run}-${mode.key}`);
  await cp(seeded.template, dir, { recursive: true });
  const profile = join(resolve(CPU_PROF ?? "."), `run-${run}-${mode.key}`);
  const target =
    mode.server === "serve"
      ? await startServe(join(dir, "data"), join(dir, "repo"), mode, profile)
      : await startBare(join(dir, "data"), profile);
  const generator = startGenerator();
  const results: Measured[] = [];
  try {
    const plan: LoadPlan = {
      kind: "plan",
      root: target.scimUrl,
      token: TOKEN,
      users: seeded.users,
      groups: seeded.groups,
      tag: `r${run}${mode.key}`,
    };
    await ask(generator, plan);
    // Warm-up (JIT, connections, the proposer's first flush on this copy); not measured.
    await ask<StepResult>(generator, { kind: "step", rate: 100, seconds: 3 });
    let commits = await target.settle();
    for (const rate of RATES) {
      const rssBeforeMb = await rssMb(target.pid);
      const before = await target.ledgerFigures();
      const step = await ask<StepResult>(generator, { kind: "step", rate, seconds: SECONDS });
      const after = await target.ledgerFigures();
      const rssAfterMb = await rssMb(target.pid);
      const fsyncs = after.fsyncs - before.fsyncs;
      // So one rate's proposer backlog is not charged to the next; how long it takes is a figure too.
      const settling = performance.now();
      const committed = await target.settle();
      const caughtUp =
        committed === undefined || commits === undefined
          ? undefined
          : { seconds: (performance.now() - settling) / 1000, commits: committed - commits };
      commits = committed;
      results.push({
        step,
        caughtUp,
        rssBeforeMb,
        rssAfterMb,
        writesPerFsync: fsyncs === 0 ? 0 : (after.seq - before.seq) / fsyncs,
      });
    }
  } finally {
    generator.send({ kind: "stop" });
    await once(generator, "exit");
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

export async function run(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "scim-serve-load-"));
  try {
    const [load1] = loadavg();
    console.log(`machine: load average ${load1!.toFixed(2)} at start (2 cores shared: figures are noisy)`);
    const seeded = await seed(scratch);
    const measured = new Map<Mode, Measured[][]>(MODES.map((mode) => [mode, []]));
    for (let run = 0; run < RUNS; run++) {
      // Modes alternate inside each run, so both see the same machine.
      for (const mode of MODES) measured.get(mode)!.push(await measure(seeded, mode, run, scratch));
    }
    for (const [index, rate] of RATES.entries()) {
      report(
        { rate, seconds: SECONDS, runs: RUNS, goal: GOAL },
        new Map(MODES.map((mode) => [mode, measured.get(mode)!.map((runs) => runs[index]!)])),
      );
    }
    console.log(`\nmachine: load average ${loadavg()[0]!.toFixed(2)} at the end`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
