/**
 * GitHub requests of the proposals side (issue 12), against the stateful GitHub fake over real HTTP with
 * the App's composition (gitHubProposals on pacedClient, the journal ledger, and the batching
 * gitHubProposals gives the proposer, nothing of the bench's own):
 * - 1,000 SCIM-style writes (creates, profile edits, group membership) at an IdP import's pace and as a
 *   trickle, each left to flush on the proposer's own timers (no forced flush) → GitHub requests per 1,000
 *   writes (goal ≤ 10), beside the naive contents-API count for the same changes (a `GET` for the blob sha
 *   and a `PUT /contents` per file each write changes);
 * - content-creating requests in any 60 s window (goal < 80, GitHub's secondary limit);
 * - the emergency path: requests and wall time from a deactivation to its merge, request by request, and
 *   what Probot's throttle plugin (≥ 1 s between writes, ≥ 3 s around PR creation and merges) would add.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { LedgerChange } from "../src/ledger/ledger.js";
import { GITHUB_DEBOUNCE_MS, GITHUB_MAX_WAIT_MS } from "../src/proposals/github/github-proposals.js";
import { REVOCATION_GUARD_CHECK } from "../src/proposals/github/pull-request-checks.js";
import { startProposer } from "../src/proposals/proposer.js";
import { IdentityRenderer } from "../src/proposals/render-identities.js";
import { identitiesDir, SYNC_BRANCH } from "../src/proposals/sync-branch.js";
import type { LoggedRequest } from "../test/fakes/github/fake-github.js";
import { composeOnFake, openGitHubProposals } from "../test/proposals/github/github-proposals-fixture.js";
import { patch, put } from "../test/proposals/ledger-writes.js";
import { MemoryLedger } from "../test/proposals/memory-ledger.js";
import {
  ALICE_ID,
  ENGINEERS_ID,
  READONLY_ID,
  scimGroup,
  scimUser,
} from "../test/proposals/policy-fixture.js";

const WRITES = 1_000;
/** SCIM writes per second: an IdP import pushes hundreds a second (DESIGN §4). */
const RATE = 500;
/** A trickle: 20 s of writes never 10 s apart, so only the max wait would split them into flushes. */
const SLOW_RATE = 50;
const NOW = new Date("2026-11-29T02:15:00.000Z");
const idOf = (index: number) => `be7c0000-0000-4000-8000-${String(index).padStart(12, "0")}`;

type Write = (ledger: MemoryLedger | Parameters<typeof put>[0]) => Promise<LedgerChange>;

/** 600 creates, 200 profile edits of people created earlier, 200 membership changes of two groups. */
function importWrites(): Write[] {
  const writes: Write[] = [];
  const members: string[] = [];
  for (let index = 0; index < WRITES; index++) {
    const kind = index % 5;
    const person = Math.floor(index * 0.6);
    if (kind < 3) {
      const id = idOf(writes.filter((_, at) => at % 5 < 3).length);
      writes.push((ledger) =>
        put(ledger, "User", scimUser(id, `${id.slice(-6)}@example.com`, `Person ${id}`)),
      );
    } else if (kind === 3) {
      const id = idOf(Math.max(0, person - 1));
      writes.push((ledger) =>
        patch(ledger, "User", id, { displayName: `Person ${index} (edited)`, title: "Engineer" }),
      );
    } else {
      members.push(idOf(Math.max(0, person - 1)));
      const snapshot = [ALICE_ID, ...members];
      const [group, name] =
        index % 10 === 4 ? [ENGINEERS_ID, "payments-engineers"] : [READONLY_ID, "payments-readonly"];
      writes.push((ledger) => put(ledger, "Group", scimGroup(group, name, snapshot), "replace"));
    }
  }
  return writes;
}

const isContentCreating = (entry: LoggedRequest) => entry.method !== "GET";
const label = (entry: LoggedRequest) =>
  `${entry.method} ${entry.path.replace(/^\/repos\/[^/]+\/[^/]+/, "").replace(/[0-9a-f]{40}/g, "…")} ${entry.status}`;

/** The most content-creating requests any 60 s window holds. */
function peakPerMinute(log: readonly LoggedRequest[]): number {
  const times = log.filter(isContentCreating).map((entry) => entry.at);
  return Math.max(
    0,
    ...times.map((start) => times.filter((at) => at >= start && at < start + 60_000).length),
  );
}

/** What the contents API would cost: per write, a GET (blob sha) and a PUT per identity file it changes. */
async function naiveContentsRequests(main: Map<string, string>, writes: readonly Write[]): Promise<number> {
  const ledger = new MemoryLedger(() => NOW);
  const renderer = new IdentityRenderer();
  const seed = renderer.indexById(main);
  for (const id of seed.users.keys()) {
    const text = main.get(seed.users.get(id) ?? "") ?? "";
    const userName = /^userName: (.*)$/m.exec(text)?.[1] ?? id;
    const displayName = /^displayName: (.*)$/m.exec(text)?.[1] ?? userName;
    await put(ledger, "User", scimUser(id, userName, displayName));
  }
  await put(ledger, "Group", scimGroup(ENGINEERS_ID, "payments-engineers", [...seed.users.keys()]));
  await put(ledger, "Group", scimGroup(READONLY_ID, "payments-readonly", [ALICE_ID]));
  let files = new Map(main);
  const view = () => ({ users: ledger.list("User"), groups: ledger.list("Group") });
  const settle = renderer.render(files, view(), { deletedAt: () => NOW.toISOString() });
  for (const [path, text] of settle) if (text !== null) files.set(path, text);
  let requests = 0;
  for (const write of writes) {
    await write(ledger);
    const changed = renderer.render(files, view(), { deletedAt: () => NOW.toISOString() });
    requests += 2 * changed.size;
    files = new Map(files);
    for (const [path, text] of changed) {
      if (text === null) files.delete(path);
      else files.set(path, text);
    }
  }
  return requests;
}

async function openWorld() {
  const world = await openGitHubProposals({ merge: "direct" });
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] });
  const github = composeOnFake(world, { now: NOW });
  // The sequence number of the newest write the sync PR carries, so an import is measured once its last
  // write reached the PR on the proposer's own timers, rather than by forcing a flush.
  const synced = { seq: 0 };
  const proposer = startProposer({
    ledger: world.ledger,
    ...github.proposer,
    afterSync: async (result) => {
      await github.proposer.afterSync?.(result);
      synced.seq = Math.max(synced.seq, ...result.carried.map((operation) => operation.seq));
    },
    now: () => NOW,
    watchMainMs: 0,
  });
  await proposer.flush();
  return { world, proposer, synced };
}

type World = Awaited<ReturnType<typeof openWorld>>;

/** The import at `rate` writes a second; prints its figures, and with `detail` every request. */
async function measureImport(
  { world, proposer, synced }: World,
  rate: number,
  detail: boolean,
): Promise<void> {
  const mainIdentities = await world.repo.readFiles("main", identitiesDir("policies"));
  const flushesBefore = proposer.state().flushes;
  world.fake.log.length = 0;
  const writes = importWrites();
  const started = performance.now();
  let last = 0;
  for (let index = 0; index < writes.length; index++) {
    last = (await writes[index]?.(world.ledger))?.seq ?? last;
    const due = (index + 1) / rate - (performance.now() - started) / 1000;
    if (due > 0.005) await sleep(due * 1000);
  }
  const imported = performance.now() - started;
  while (synced.seq < last) await sleep(20);
  const onPull = performance.now() - started - imported;
  const log = [...world.fake.log];
  const perThousand = (log.length / WRITES) * 1_000;
  const naive = await naiveContentsRequests(new Map(mainIdentities), writes);
  const reads = log.filter((entry) => !isContentCreating(entry)).length;
  const syncPulls = [...world.fake.pulls.values()].filter((pull) => pull.head === SYNC_BRANCH).length;
  console.log(
    `${rate >= RATE ? "import" : "trickle"} at ${rate}/s: ${WRITES} SCIM writes in ${(imported / 1000).toFixed(1)} s → ` +
      `${proposer.state().flushes - flushesBefore} flush(es), ${syncPulls} sync PR; the last write on the PR ` +
      `${(onPull / 1000).toFixed(1)} s after it`,
  );
  console.log(
    `  GitHub requests per 1,000 SCIM writes: ${perThousand.toFixed(0)} (${reads} reads, ${log.length - reads} writes; ` +
      `goal ≤ 10; naive contents API: ${naive})`,
  );
  if (detail) console.log(`    ${log.map(label).join("\n    ")}`);
  console.log(
    `  content-creating requests, peak in any 60 s: ${peakPerMinute(log)} (goal < 80; GitHub's secondary limit 80)`,
  );
}

async function measureEmergency({ world, proposer }: World): Promise<void> {
  // A person merges the sync PR, so the leaver below has grants on main and the sync branch is empty.
  const sync = [...world.fake.pulls.values()].find(
    (pull) => pull.head === SYNC_BRANCH && pull.state === "open",
  );
  if (sync !== undefined) await world.fake.state.merge(sync, {});
  proposer.mainMayHaveMoved();
  await proposer.flush();
  await sleep(50);
  world.fake.log.length = 0;

  const deactivated = performance.now();
  const at = Date.now();
  await patch(world.ledger, "User", ALICE_ID, { active: false });
  while (proposer.state().emergencies.merged + proposer.state().emergencies.failed === 0) await sleep(2);
  const emergencyMs = performance.now() - deactivated;
  const upToMerge = world.fake.log.slice(
    0,
    world.fake.log.findIndex((entry) => entry.method === "PUT" && entry.path.endsWith("/merge")) + 1,
  );
  const throttle = probotThrottleMs(upToMerge);
  console.log(
    `emergency path: ${upToMerge.length} requests (${upToMerge.filter(isContentCreating).length} content-creating) ` +
      `from the deactivation to the merge, merged after ${emergencyMs.toFixed(0)} ms ` +
      `(goal: seconds; Probot's throttle spacing alone would add ${(throttle / 1000).toFixed(0)} s)`,
  );
  console.log(
    `    ${upToMerge.map((entry) => `+${String(entry.at - at).padStart(5)} ms ${label(entry)}`).join("\n    ")}`,
  );
}

export async function run(): Promise<void> {
  console.log(
    `GitHub mode's batching (gitHubProposals): a flush after ${GITHUB_DEBOUNCE_MS / 1000} s without a write, ` +
      `or ${GITHUB_MAX_WAIT_MS / 1000} s after the first one waiting`,
  );
  const burst = await openWorld();
  try {
    await measureImport(burst, RATE, true);
    await measureEmergency(burst);
  } finally {
    await burst.proposer.close();
    await burst.world.close();
  }
  const slow = await openWorld();
  try {
    await measureImport(slow, SLOW_RATE, false);
  } finally {
    await slow.proposer.close();
    await slow.world.close();
  }
}

/** Probot's throttle: every write ≥ 1 s after the previous one, PR creation and merges ≥ 3 s apart. */
function probotThrottleMs(log: readonly LoggedRequest[]): number {
  const writes = log.filter(isContentCreating);
  let added = 0;
  for (let index = 1; index < writes.length; index++) {
    const entry = writes[index];
    const notifies =
      entry !== undefined &&
      ((entry.method === "POST" && entry.path.endsWith("/pulls")) || entry.path.endsWith("/merge"));
    added += notifies ? 3_000 : 1_000;
  }
  return added;
}
