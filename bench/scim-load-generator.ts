/**
 * The open-loop SCIM load generator of `scim-serve-load.bench.ts`, run in a process of its own so it never
 * shares an event loop with the server. Request i of a step is due at t0 + i/rate and is timed from that
 * instant, not from when it went out, so a stalled server shows as latency instead of slowing the
 * generator down (coordinated omission). Traffic is the Okta/Entra mix an IdP sends a provisioned app.
 *
 * Protocol (IPC): the parent sends a {@link LoadPlan} once, then one {@link LoadStep} per rate; each step
 * is answered with its {@link StepResult}.
 */
import { Agent, request } from "node:http";

export interface SeededUser {
  readonly id: string;
  readonly userName: string;
}

export interface SeededGroup {
  readonly id: string;
  readonly displayName: string;
  readonly members: readonly string[];
}

export interface LoadPlan {
  readonly kind: "plan";
  /** `http://127.0.0.1:PORT/scim/v2`. */
  readonly root: string;
  readonly token: string;
  readonly users: readonly SeededUser[];
  readonly groups: readonly SeededGroup[];
  /** Makes userNames of POSTed users unique across steps and runs. */
  readonly tag: string;
}

export interface LoadStep {
  readonly kind: "step";
  readonly rate: number;
  readonly seconds: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface StepResult {
  readonly rate: number;
  readonly sent: number;
  readonly answered: number;
  /** Answers per second, from the first due instant to the last answer. */
  readonly achieved: number;
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly overall: LatencySummary;
  readonly writes: LatencySummary;
  readonly byKind: Readonly<Record<string, LatencySummary>>;
}

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const ANSWER_TIMEOUT_MS = 30_000;

interface Request {
  readonly kind: string;
  readonly write: boolean;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** What the generator believes about the directory, so its writes change something. */
class Directory {
  readonly users: SeededUser[];
  readonly groups: readonly SeededGroup[];
  readonly inactive = new Set<string>();
  readonly members: Map<string, Set<string>>;
  #random: () => number;
  #posted = 0;

  constructor(plan: LoadPlan, random: () => number) {
    this.users = [...plan.users];
    this.groups = plan.groups;
    this.members = new Map(plan.groups.map((group) => [group.id, new Set(group.members)]));
    this.#random = random;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.#random() * list.length)]!;
  }

  /** The mix: 65 % reads (lookups, reads by id, import pages), 35 % writes. */
  next(tag: string): Request {
    const r = this.#random();
    const user = this.pick(this.users);
    if (r < 0.3) {
      // Okta's and Entra's lookup before a create; Okta sometimes in another case (SPEC test S9).
      const name = this.#random() < 0.2 ? user.userName.toUpperCase() : user.userName;
      return read("GET filter userName eq", `/Users?filter=${filter(`userName eq "${name}"`)}`);
    }
    if (r < 0.4) {
      const group = this.pick(this.groups);
      return read(
        "GET filter group (Entra)",
        `/Groups?excludedAttributes=members&filter=${filter(`displayName eq "${group.displayName}"`)}`,
      );
    }
    if (r < 0.45) {
      const start = 1 + 100 * Math.floor(this.#random() * (this.users.length / 100));
      return read("GET list page count=100", `/Users?startIndex=${start}&count=100`);
    }
    if (r < 0.65) return read("GET by id", `/Users/${user.id}`);
    if (r < 0.75) return this.#patchActive(user);
    if (r < 0.95) return this.#patchMembers(user);
    const userName = `load.${tag}.${this.#posted++}@example.com`;
    return {
      kind: "POST user",
      write: true,
      method: "POST",
      path: "/Users",
      body: {
        schemas: [USER_URN],
        userName,
        name: { givenName: "Load", familyName: `User ${this.#posted}` },
        emails: [{ primary: true, value: userName, type: "work" }],
        displayName: `Load User ${this.#posted}`,
        externalId: `00u${tag}${this.#posted}`,
        active: true,
      },
    };
  }

  created(id: string, userName: string): void {
    this.users.push({ id, userName });
  }

  /** Deactivates an active user or reactivates an inactive one: Okta's boolean, Entra's "False" string. */
  #patchActive(user: SeededUser): Request {
    const active = this.inactive.has(user.id);
    if (active) this.inactive.delete(user.id);
    else this.inactive.add(user.id);
    const operation =
      this.#random() < 0.5
        ? { op: "replace", value: { active } }
        : { op: "Replace", path: "active", value: active ? "True" : "False" };
    return {
      kind: "PATCH active",
      write: true,
      method: "PATCH",
      path: `/Users/${user.id}`,
      body: { schemas: [PATCH_OP], Operations: [operation] },
    };
  }

  /**
   * Half the time adds a user to a group, half the time removes one of its members: Okta's filter path or
   * Entra's value list for each.
   */
  #patchMembers(candidate: SeededUser): Request {
    const group = this.pick(this.groups);
    const members = this.members.get(group.id)!;
    const remove = members.size > 0 && this.#random() < 0.5;
    const id = remove ? this.#someMember(members) : candidate.id;
    // Adding someone already in the group would change nothing: it becomes their removal.
    const removal = remove || members.has(id);
    if (removal) members.delete(id);
    else members.add(id);
    const okta = this.#random() < 0.5;
    const operation = removal
      ? okta
        ? { op: "remove", path: `members[value eq "${id}"]` }
        : { op: "Remove", path: "members", value: [{ $ref: null, value: id }] }
      : okta
        ? { op: "add", path: "members", value: [{ value: id, display: candidate.userName }] }
        : { op: "Add", path: "members", value: [{ $ref: null, value: id }] };
    return {
      kind: removal ? "PATCH group remove member" : "PATCH group add member",
      write: true,
      method: "PATCH",
      path: `/Groups/${group.id}`,
      body: { schemas: [PATCH_OP], Operations: [operation] },
    };
  }

  /** A member picked at random (sets keep insertion order, so a random index walks that far). */
  #someMember(members: ReadonlySet<string>): string {
    let index = Math.floor(this.#random() * members.size);
    for (const member of members) if (index-- === 0) return member;
    return members.values().next().value!;
  }
}

function read(kind: string, path: string): Request {
  return { kind, write: false, method: "GET", path };
}

function filter(expression: string): string {
  return encodeURIComponent(expression);
}

/** A small deterministic generator, so every run sends the same sequence. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function summarise(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

function send(agent: Agent, plan: LoadPlan, call: Request): Promise<Answer> {
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const req = request(`${plan.root}${call.path}`, {
      method: call.method,
      agent,
      timeout: ANSWER_TIMEOUT_MS,
      headers: {
        Authorization: `Bearer ${plan.token}`,
        ...(payload === undefined
          ? {}
          : { "Content-Type": "application/scim+json", "Content-Length": Buffer.byteLength(payload) }),
      },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("no answer within the timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}

async function runStep(
  plan: LoadPlan,
  directory: Directory,
  step: LoadStep,
  agent: Agent,
): Promise<StepResult> {
  const total = Math.round(step.rate * step.seconds);
  const intervalMs = 1000 / step.rate;
  const overall: number[] = [];
  const writes: number[] = [];
  const byKind = new Map<string, number[]>();
  const statuses: Record<string, number> = {};
  let errors = 0;
  let lastAnswer = 0;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now() + 5;
  const tag = `${plan.tag}${step.rate}`;

  const issue = (index: number) => {
    const due = t0 + index * intervalMs;
    const call = directory.next(tag);
    const task = send(agent, plan, call)
      .then((answer) => {
        const latency = performance.now() - due;
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status >= 400) errors++;
        else if (call.kind === "POST user") {
          const created = JSON.parse(answer.text) as { id: string; userName: string };
          directory.created(created.id, created.userName);
        }
        overall.push(latency);
        if (call.write) writes.push(latency);
        let list = byKind.get(call.kind);
        if (list === undefined) byKind.set(call.kind, (list = []));
        list.push(latency);
      })
      .catch((error: NodeJS.ErrnoException) => {
        errors++;
        const reason = `failed ${error.code ?? error.message}`;
        statuses[reason] = (statuses[reason] ?? 0) + 1;
      })
      .finally(() => {
        lastAnswer = performance.now();
        inFlight.delete(task);
      });
    inFlight.add(task);
  };

  let issued = 0;
  while (issued < total) {
    const now = performance.now();
    // Everything due by now goes out now; a late tick sends its backlog at once and is timed from the
    // instants the requests were due.
    const due = Math.min(total, Math.floor((now - t0) / intervalMs) + 1);
    while (issued < due) issue(issued++);
    const nextDue = t0 + issued * intervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(inFlight);
  const seconds = (lastAnswer - t0) / 1000;
  return {
    rate: step.rate,
    sent: total,
    answered: overall.length,
    achieved: overall.length / seconds,
    errors,
    statuses,
    overall: summarise(overall),
    writes: summarise(writes),
    byKind: Object.fromEntries([...byKind].sort().map(([kind, values]) => [kind, summarise(values)])),
  };
}

if (process.send !== undefined) {
  let plan: LoadPlan | undefined;
  let directory: Directory | undefined;
  // Open loop: connections are opened as the schedule needs them, never a cap that would queue requests.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  process.on("message", (message: LoadPlan | LoadStep | { kind: "stop" }) => {
    if (message.kind === "plan") {
      plan = message;
      directory = new Directory(message, seededRandom(0x5c1a));
      process.send?.({ kind: "ready" });
    } else if (message.kind === "step") {
      void runStep(plan!, directory!, message, agent).then((result) => process.send?.(result));
    } else {
      agent.destroy();
      process.disconnect();
    }
  });
}
