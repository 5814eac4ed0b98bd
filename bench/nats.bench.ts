/**
 * Issues 5 and 11 on a real nats-server: connects per second through the auth callout, served by
 * `scim-gitops nats-auth` itself (the built CLI, in its own process, as it is deployed), against a plain
 * configured user in the same run, their connects alternating (goal: at least half their rate), with the
 * p99 connect time and the CPU each process spends per connect; then the revocation latency from a KV
 * delete (what apply does) to the client's socket closing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { encodeAuthorizationResponse, encodeUser } from "@nats-io/jwt";
import { createAccount, createServer, createUser, fromSeed } from "@nats-io/nkeys";
import { connect, Events, type ConnectionOptions, type NatsConnection } from "nats";
import { createFastKeyPair } from "../src/targets/nats/callout/ed25519-key-pair.js";
import { cpuProfileArgs } from "./cpu-profile.js";
import { encodeAuthorizationResponseJwt, encodeUserJwt } from "../src/targets/nats/callout/nats-jwt.js";
import { natsAuthEnv, perms, startWorld, type NatsWorld } from "../test/nats/fixture.js";

const SEQUENTIAL = 300;
const FRESH_TOKENS = 200;
const PARALLEL = 600;
const IN_FLIGHT = 10;
const REVOCATIONS = 30;
const MASS = 100;
const GOAL_RATIO = 0.5;
const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

interface Timed {
  readonly rate: number;
  readonly latencies: number[];
}

export async function run(): Promise<void> {
  const runs = Number(process.env["BENCH_RUNS"] ?? 3);
  await signingCost();
  const world = await startWorld();
  let service: ChildProcess | undefined;
  try {
    await world.put("alice", { APP: perms(["app.>"], ["app.>", "_INBOX.>"]) });
    service = await startNatsAuth(world);
    const token = await world.oidc.mint("alice");
    const viaCallout: ConnectionOptions = { servers: world.server.url, token };
    const plain: ConnectionOptions = {
      servers: world.server.url,
      user: world.server.auth.user,
      pass: world.server.auth.password,
    };
    await timeConnects([viaCallout], 30); // warm-up: JWKS fetch, JIT on both sides
    await timeConnects([plain], 30);

    const ratios: number[] = [];
    const calloutRates: number[] = [];
    const plainRates: number[] = [];
    const calloutLatencies: number[] = [];
    const plainLatencies: number[] = [];
    for (let round = 1; round <= runs; round++) {
      // One plain connect, then one through nats-auth, in turn: both see the same moments of a shared
      // machine, so the ratio does not swing with whatever else ran during one of two separate passes.
      const { first: plainRun, second: calloutRun } = await alternateConnects(plain, viaCallout, SEQUENTIAL);
      ratios.push(calloutRun.rate / plainRun.rate);
      calloutRates.push(calloutRun.rate);
      plainRates.push(plainRun.rate);
      calloutLatencies.push(...calloutRun.latencies);
      plainLatencies.push(...plainRun.latencies);
      console.log(
        `  run ${round}: through nats-auth ${calloutRun.rate.toFixed(0)}/s, plain user ${plainRun.rate.toFixed(0)}/s (${percent(calloutRun.rate / plainRun.rate)})`,
      );
    }
    // Where the time goes, from a pass of each kind alone (CPU time cannot be told apart when they alternate).
    const cpu = { plain: new CpuPerConnect(), callout: new CpuPerConnect() };
    const processes = { "nats-server": world.server.pid, "nats-auth": service.pid };
    await cpu.plain.during(processes, SEQUENTIAL, () => timeConnects([plain], SEQUENTIAL));
    await cpu.callout.during(processes, SEQUENTIAL, () => timeConnects([viaCallout], SEQUENTIAL));
    const ratio = median(ratios);
    console.log(
      `sequential connects through nats-auth, median of ${runs}: ${median(calloutRates).toFixed(0)}/s, ` +
        `${percent(ratio)} of the plain user's ${median(plainRates).toFixed(0)}/s in the same runs ` +
        `(goal ≥ ${percent(GOAL_RATIO)}, ${ratio >= GOAL_RATIO ? "met" : "MISSED"}; baseline, issue 11: 108–182/s against 379–546/s)`,
    );
    console.log(
      `connect time through nats-auth: p50 ${quantile(calloutLatencies, 0.5).toFixed(2)} ms, p99 ${quantile(calloutLatencies, 0.99).toFixed(2)} ms; ` +
        `plain user p50 ${quantile(plainLatencies, 0.5).toFixed(2)} ms, p99 ${quantile(plainLatencies, 0.99).toFixed(2)} ms`,
    );
    // Where the time goes: a sequential connect waits on each process in turn, so their CPU adds up.
    console.log(`CPU per sequential connect, through nats-auth: ${cpu.callout.describe()}`);
    console.log(`CPU per sequential connect, plain user:        ${cpu.plain.describe()}`);

    // Every connect with a token never seen before: the full OIDC check (signature against the JWKS) each time.
    const fresh = await Promise.all(
      Array.from({ length: FRESH_TOKENS }, (_, index) =>
        world.oidc.mint("alice", { claims: { nonce: index } }),
      ),
    );
    const freshRun = await timeConnects(
      fresh.map((each) => ({ servers: world.server.url, token: each })),
      FRESH_TOKENS,
    );
    console.log(
      `sequential connects, each with a new token (the signature checked every time): ${freshRun.rate.toFixed(0)}/s, ` +
        `p99 ${quantile(freshRun.latencies, 0.99).toFixed(2)} ms (for reference; a person's clients reconnect with one token)`,
    );

    const parallel = await timeConnects([viaCallout], PARALLEL, IN_FLIGHT);
    const parallelPlain = await timeConnects([plain], PARALLEL, IN_FLIGHT);
    console.log(
      `connects with ${IN_FLIGHT} in flight: through nats-auth ${parallel.rate.toFixed(0)}/s (goal ≥ 200/s), plain user ${parallelPlain.rate.toFixed(0)}/s, ` +
        `p99 ${quantile(parallel.latencies, 0.99).toFixed(2)} ms`,
    );
    await revocationLatency(world);
    await massRevocation(world);
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(" ")} (clients, nats-server and nats-auth share them)`,
    );
  } finally {
    if (service !== undefined && service.exitCode === null) {
      const exited = once(service, "exit");
      service.kill("SIGTERM");
      await exited;
    }
    await world.stop();
  }
}

/** `scim-gitops nats-auth` as an operator runs it, against the world's server, bucket and IdP. */
async function startNatsAuth(world: NatsWorld): Promise<ChildProcess> {
  // NATS_AUTH_CPU_PROF=DIR: a --cpu-prof profile of nats-auth, for what its share of a connect is spent on.
  const nodeArgs = cpuProfileArgs(process.env["NATS_AUTH_CPU_PROF"]);
  const child = spawn(process.execPath, [...nodeArgs, CLI, "nats-auth"], {
    env: { PATH: process.env["PATH"] ?? "", ...natsAuthEnv(world) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("answering $SYS.REQ.USER.AUTH")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`nats-auth exited with ${code}:\n${log}`)));
  });
  return child;
}

/** Why the callout signs and encodes on node:crypto: one user JWT with jwt.js and the stock key pair, and ours. */
async function signingCost(): Promise<void> {
  const seed = new TextDecoder().decode(createAccount().getSeed());
  const user = createUser().getPublicKey();
  const server = createServer().getPublicKey();
  const fast = createFastKeyPair(seed);
  const time = async (n: number, once: () => unknown) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await once();
    return ((performance.now() - started) / n).toFixed(3);
  };
  const stock = await time(10, () =>
    encodeUser("alice", user, fromSeed(new TextEncoder().encode(seed)), {}, { aud: "APP" }),
  );
  const jwtJs = await time(500, async () => {
    const jwt = await encodeUser("alice", user, fast, {}, { aud: "APP" });
    return encodeAuthorizationResponse(user, server, fast, { jwt }, {});
  });
  const ours = await time(500, () => {
    const jwt = encodeUserJwt({
      name: "alice",
      userKey: user,
      account: "APP",
      permissions: { pub: { allow: [], deny: [] }, sub: { allow: [], deny: [] } },
      expiresAt: 0,
      issuer: fast,
    });
    return encodeAuthorizationResponseJwt({ userKey: user, serverId: server, issuer: fast, data: { jwt } });
  });
  console.log(
    `one answer's JWTs: jwt.js with the stock nkeys pair ${stock} ms (user JWT alone), jwt.js with the node:crypto pair ${jwtJs} ms, ours ${ours} ms`,
  );
}

/** Connects and closes `count` times, `inFlight` at once, cycling through `options`. */
/**
 * `count` sequential connects (and closes) of each kind, alternating; each kind's rate is `count` over the
 * time its own connects took.
 */
async function alternateConnects(
  first: ConnectionOptions,
  second: ConnectionOptions,
  count: number,
): Promise<{ first: Timed; second: Timed }> {
  const spent = [0, 0];
  const latencies: [number[], number[]] = [[], []];
  for (let index = 0; index < count * 2; index++) {
    const kind = index % 2;
    const begun = performance.now();
    const nc = await connect({ ...(kind === 0 ? first : second), reconnect: false });
    latencies[kind]!.push(performance.now() - begun);
    await nc.close();
    spent[kind]! += performance.now() - begun;
  }
  return {
    first: { rate: (count * 1000) / spent[0]!, latencies: latencies[0] },
    second: { rate: (count * 1000) / spent[1]!, latencies: latencies[1] },
  };
}

/**
 * CPU time (user + system) each process spent per connect, summed over the runs measured: read from
 * /proc/PID/stat for the child processes (clock ticks, 10 ms each, so only sums over hundreds of connects
 * mean anything) and process.cpuUsage() for this one, the client.
 */
class CpuPerConnect {
  readonly #spent = new Map<string, number>();
  #connects = 0;

  async during<T>(
    processes: Readonly<Record<string, number | undefined>>,
    connects: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const before = Object.entries(processes).map(([name, pid]) => [name, ticksOf(pid)] as const);
    const client = process.cpuUsage();
    const result = await work();
    const used = process.cpuUsage(client);
    this.#add("client (this process)", (used.user + used.system) / 1000);
    for (const [name, ticks] of before) {
      this.#add(name, ((ticksOf(processes[name]) - ticks) * 1000) / CLOCK_TICKS_PER_SECOND);
    }
    this.#connects += connects;
    return result;
  }

  describe(): string {
    const parts = [...this.#spent].map(([name, ms]) => `${name} ${(ms / this.#connects).toFixed(2)} ms`);
    const total = [...this.#spent.values()].reduce((sum, ms) => sum + ms, 0) / this.#connects;
    return `${parts.join(", ")}; ${total.toFixed(2)} ms in all`;
  }

  #add(name: string, ms: number): void {
    this.#spent.set(name, (this.#spent.get(name) ?? 0) + ms);
  }
}

/** Linux's USER_HZ, which /proc/PID/stat counts in. */
const CLOCK_TICKS_PER_SECOND = 100;

function ticksOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function timeConnects(
  options: readonly ConnectionOptions[],
  count: number,
  inFlight = 1,
): Promise<Timed> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const each = options[next % options.length] as ConnectionOptions;
        next++;
        const begun = performance.now();
        const nc = await connect({ ...each, reconnect: false });
        latencies.push(performance.now() - begun);
        await nc.close();
      }
    }),
  );
  return { rate: (count * 1000) / (performance.now() - started), latencies };
}

async function revocationLatency(world: NatsWorld): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < REVOCATIONS; i++) {
    const person = `leaver-${i}`;
    await world.put(person, { APP: perms(["app.>"], ["app.>"]) });
    const nc = await connectWhenKnown(world, person);
    const disconnected = waitForDisconnect(nc);
    const started = performance.now();
    await world.remove(person);
    await disconnected;
    samples.push(performance.now() - started);
  }
  console.log(
    `revocation latency, KV delete → socket closed (${REVOCATIONS} leavers): median ${quantile(samples, 0.5).toFixed(1)} ms, ` +
      `p90 ${quantile(samples, 0.9).toFixed(1)} ms, max ${quantile(samples, 1).toFixed(1)} ms (goal ≤ 100 ms)`,
  );
}

/** An emergency for many at once: one apply deleting every leaver's key, until the last socket closes. */
async function massRevocation(world: NatsWorld): Promise<void> {
  const people = Array.from({ length: MASS }, (_, i) => `mass-${i}`);
  await Promise.all(people.map((person) => world.put(person, { APP: perms(["app.>"], ["app.>"]) })));
  const connections = await Promise.all(people.map((person) => connectWhenKnown(world, person)));
  const disconnected = connections.map(waitForDisconnect);
  const started = performance.now();
  await Promise.all(people.map((person) => world.remove(person)));
  await Promise.all(disconnected);
  console.log(
    `mass revocation: ${MASS} people's keys deleted → all ${MASS} sockets closed in ${(performance.now() - started).toFixed(0)} ms`,
  );
}

/** The service learns a new entry through its KV watch: a connect right after the put may come first. */
async function connectWhenKnown(world: NatsWorld, person: string): Promise<NatsConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await world.connectAs(person, { maxReconnectAttempts: 0 });
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function waitForDisconnect(nc: NatsConnection): Promise<void> {
  const statuses = nc.status();
  const closed = nc.closed().then(() => undefined);
  const disconnect = (async () => {
    for await (const status of statuses) if (status.type === Events.Disconnect) return;
  })();
  await Promise.race([closed, disconnect]);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}
