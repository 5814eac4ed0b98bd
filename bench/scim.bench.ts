/**
 * SCIM throughput and latency with 10k users and 1k groups (20k memberships) loaded: a paced mixed
 * workload (70 % reads, 30 % writes) over HTTP to 127.0.0.1 with bounded concurrency, then a saturation run,
 * then `GET /Groups` as Okta's SPEC test times it. Goals: ≥ 500 req/s at p99 ≤ 20 ms; GET /Groups < 600 ms.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { TOKEN, oktaUser, startScim } from "../test/scim/support/scim-server.js";

const SERVER_FLAG = "--scim-bench-server";

const USERS = 10_000;
const GROUPS = 1_000;
const MEMBERS_PER_GROUP = 20;
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface Reply {
  status: number;
  body: string;
}

function client(root: string): (method: string, path: string, body?: unknown) => Promise<Reply> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(`${root}${path}`, {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          ...(payload === undefined
            ? {}
            : { "Content-Type": "application/scim+json", "Content-Length": Buffer.byteLength(payload) }),
        },
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      });
      req.on("error", reject);
      req.end(payload);
    });
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Call = ReturnType<typeof client>;

function pickOperation(
  call: Call,
  userIds: string[],
  groupIds: string[],
  seq: { n: number },
): [string, () => Promise<Reply>] {
  const r = Math.random();
  const user = userIds[Math.floor(Math.random() * userIds.length)]!;
  const userName = `load.${Math.floor(Math.random() * USERS)}@example.com`;
  if (r < 0.3) return ["GET by id", () => call("GET", `/Users/${user}`)];
  if (r < 0.55)
    return [
      "filter userName eq",
      () => call("GET", `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`),
    ];
  if (r < 0.7) {
    const start = 1 + 100 * Math.floor(Math.random() * (USERS / 100));
    return ["list count=100", () => call("GET", `/Users?startIndex=${start}&count=100`)];
  }
  if (r < 0.8) {
    return [
      "PATCH user",
      () =>
        call("PATCH", `/Users/${user}`, {
          schemas: [PATCH],
          Operations: [{ op: "replace", path: "title", value: `T${seq.n++}` }],
        }),
    ];
  }
  if (r < 0.9) {
    const group = groupIds[Math.floor(Math.random() * groupIds.length)]!;
    return [
      "PATCH group member",
      () =>
        call("PATCH", `/Groups/${group}`, {
          schemas: [PATCH],
          Operations: [{ op: "add", path: "members", value: [{ value: user }] }],
        }),
    ];
  }
  if (r < 0.95) {
    return [
      "PUT user",
      () => call("PUT", `/Users/${user}`, { ...oktaUser(`put.${user}@example.com`), password: undefined }),
    ];
  }
  return ["POST user", () => call("POST", "/Users", oktaUser(`new.${seq.n++}.${Date.now()}@example.com`))];
}

interface RunResult {
  total: number;
  seconds: number;
  latencies: number[];
  byKind: Map<string, number[]>;
  errors: number;
}

/** Open loop at `rate` req/s (or as fast as `concurrency` allows when rate is Infinity) for `seconds`. */
async function drive(
  call: Call,
  userIds: string[],
  groupIds: string[],
  rate: number,
  seconds: number,
  concurrency: number,
): Promise<RunResult> {
  const latencies: number[] = [];
  const byKind = new Map<string, number[]>();
  const seq = { n: 0 };
  let errors = 0;
  let inFlight = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const pending = new Set<Promise<void>>();
  while (performance.now() < deadline) {
    const due = Number.isFinite(rate) ? Math.floor(((performance.now() - started) / 1000) * rate) : Infinity;
    if (issued >= due || inFlight >= concurrency) {
      await (pending.size > 0 && inFlight >= concurrency
        ? Promise.race(pending)
        : new Promise((resolve) => setTimeout(resolve, 1)));
      continue;
    }
    const [kind, run] = pickOperation(call, userIds, groupIds, seq);
    issued++;
    inFlight++;
    const sent = performance.now();
    const task = run()
      .then((reply) => {
        const elapsed = performance.now() - sent;
        if (reply.status >= 400) errors++;
        latencies.push(elapsed);
        let list = byKind.get(kind);
        if (list === undefined) byKind.set(kind, (list = []));
        list.push(elapsed);
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        inFlight--;
        pending.delete(task);
      });
    pending.add(task);
  }
  await Promise.all(pending);
  return {
    total: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies,
    byKind,
    errors,
  };
}

function report(label: string, result: RunResult, judged: boolean): void {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const rps = result.total / result.seconds;
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  console.log(
    `${label}: ${result.total} requests in ${result.seconds.toFixed(1)} s, errors ${result.errors}`,
  );
  const goal = (text: string, ok: boolean): string =>
    judged ? `   (goal ${text})  ${ok ? "ok" : "MISSED"}` : "";
  console.log(`  throughput ${rps.toFixed(0)} req/s${goal("≥ 500", rps >= 500)}`);
  console.log(
    `  latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms${goal("p99 ≤ 20 ms", p99 <= 20)}`,
  );
  for (const [kind, values] of [...result.byKind].sort()) {
    const s = [...values].sort((a, b) => a - b);
    console.log(
      `    ${kind.padEnd(20)} n=${String(s.length).padStart(6)}  p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms`,
    );
  }
}

/** The server runs in a child process so it has a core of its own, as it would in production. */
async function startServerProcess(): Promise<{ root: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [SERVER_FLAG], { execArgv: ["--import", "tsx"] });
  const [message] = (await once(child, "message")) as [{ root: string }];
  return { root: message.root, child };
}

if (process.argv.includes(SERVER_FLAG)) {
  const scim = await startScim({ rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } });
  process.send?.({ root: scim.root });
  process.on("message", () => {
    void scim.close().then(() => process.exit(0));
  });
}

export async function run(): Promise<void> {
  const { root, child } = await startServerProcess();
  try {
    const call = client(root);
    const userIds: string[] = [];
    const loadStarted = performance.now();
    await pool(
      Array.from({ length: USERS }, (_, i) => i),
      32,
      async (i) => {
        const reply = await call("POST", "/Users", oktaUser(`load.${i}@example.com`));
        if (reply.status !== 201) throw new Error(`load user ${i}: ${reply.status} ${reply.body}`);
        userIds[i] = (JSON.parse(reply.body) as { id: string }).id;
      },
    );
    const groupIds: string[] = [];
    await pool(
      Array.from({ length: GROUPS }, (_, i) => i),
      32,
      async (i) => {
        const members = Array.from({ length: MEMBERS_PER_GROUP }, (_, k) => ({
          value: userIds[(i * MEMBERS_PER_GROUP + k) % USERS]!,
        }));
        const reply = await call("POST", "/Groups", {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          displayName: `group-${i}`,
          members,
        });
        if (reply.status !== 201) throw new Error(`load group ${i}: ${reply.status} ${reply.body}`);
        groupIds[i] = (JSON.parse(reply.body) as { id: string }).id;
      },
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    console.log(
      `loaded ${USERS} users + ${GROUPS} groups (${GROUPS * MEMBERS_PER_GROUP} memberships) over HTTP in ${loadSeconds.toFixed(1)} s (${((USERS + GROUPS) / loadSeconds).toFixed(0)} creates/s)`,
    );

    await drive(call, userIds, groupIds, 300, 1, 32);
    console.log(
      "(server in a child process; latencies are measured by the client and include its own overhead)",
    );
    report(
      "paced mixed workload at 600 req/s, ≤ 32 in flight",
      await drive(call, userIds, groupIds, 600, 10, 32),
      true,
    );
    report(
      "headroom: as fast as 16 in flight allow (queueing, not judged)",
      await drive(call, userIds, groupIds, Infinity, 5, 16),
      false,
    );

    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const reply = await call("GET", "/Groups");
      if (reply.status !== 200) throw new Error(`GET /Groups: ${reply.status}`);
      times.push(performance.now() - started);
    }
    const worst = Math.max(...times);
    console.log(
      `GET /Groups (1k groups, 20k members) worst of 5: ${worst.toFixed(0)} ms   (goal < 600 ms, Okta)  ${worst < 600 ? "ok" : "MISSED"}`,
    );
    for (const [label, filter] of [
      ["externalId eq (indexed)", 'externalId eq "no-such-external-id"'],
      ["name.familyName eq (full scan)", 'name.familyName eq "nobody"'],
      [
        'emails[type eq "work"].value eq (indexed)',
        'emails[type eq "work"].value eq "load.9999@example.com"',
      ],
    ] as const) {
      const started = performance.now();
      for (let i = 0; i < 20; i++) await call("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      console.log(
        `${label} with ${USERS} users: ${((performance.now() - started) / 20).toFixed(2)} ms per request`,
      );
    }
  } finally {
    child.send("stop");
    await once(child, "exit");
  }
}
