/**
 * Emergencies in batches (issue 10): with 5,000 people holding access on main, 1,000 deactivations arrive at
 * once through the real journal ledger while 1,000 ordinary profile edits keep the sync loop busy. Figures:
 * emergency merges, time until every deactivation is on main, sync flushes that ran meanwhile. Baseline:
 * one merge per leaver (the proposer before issue 10), its rate measured here on 40 leavers with batches of 1.
 */
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Proposer } from "../src/proposals/proposer.js";
import { startProposer } from "../src/proposals/proposer.js";
import { SYNC_BRANCH } from "../src/proposals/sync-branch.js";
import type { Fixture } from "../test/proposals/policy-fixture.js";
import {
  ALICE_ID,
  BOB_ID,
  ENGINEERS_ID,
  makeFixture,
  scimGroup,
  scimUser,
} from "../test/proposals/policy-fixture.js";
import { patch, put } from "../test/proposals/ledger-writes.js";

const PEOPLE = 5_000;
const LEAVERS = 1_000;
const EDITS = 1_000;
const BASELINE_LEAVERS = 40;
const NOW = new Date("2026-11-29T02:15:00.000Z");
const idOf = (index: number) => `5eed0000-0000-4000-8000-${String(index).padStart(12, "0")}`;

export async function run(): Promise<void> {
  const fixture = await makeFixture();
  try {
    await peopleOnMain(fixture);
    const batched = await leave(fixture, { from: 0, count: LEAVERS, batch: 500, edits: EDITS });
    const baseline = await leave(fixture, { from: LEAVERS, count: BASELINE_LEAVERS, batch: 1, edits: 0 });
    const perSecond = baseline.count / (baseline.ms / 1000);
    console.log(
      `${LEAVERS} deactivations at once, ${PEOPLE} people on main: ${batched.merges} emergency merges ` +
        `(goal: a handful; one at a time: ${LEAVERS}), all on main after ${(batched.ms / 1000).toFixed(1)} s ` +
        `(one at a time at the measured ${perSecond.toFixed(1)}/s: ~${(LEAVERS / perSecond).toFixed(0)} s)`,
    );
    console.log(
      `sync flushes while they were revoked: ${batched.flushes} (goal ≥ 1; ${EDITS} profile edits arrived with them), ` +
        `${batched.pending} changes still pending at the end`,
    );
  } finally {
    await fixture.ledger.close();
    await rm(fixture.scratch, { recursive: true, force: true });
  }
}

async function peopleOnMain(fixture: Fixture): Promise<void> {
  const proposer = start(fixture, 500);
  for (let index = 0; index < PEOPLE; index++) {
    await put(fixture.ledger, "User", scimUser(idOf(index), `person${index}@example.com`, `Person ${index}`));
  }
  const members = [ALICE_ID, BOB_ID, ...Array.from({ length: PEOPLE }, (_, index) => idOf(index))];
  await put(fixture.ledger, "Group", scimGroup(ENGINEERS_ID, "payments-engineers", members), "replace");
  await proposer.flush();
  const head = (await fixture.repo.head(SYNC_BRANCH)) ?? "";
  await fixture.repo.merge({ branch: SYNC_BRANCH, head, into: "main", message: "Merge the people\n" });
  await proposer.flush();
  await proposer.close();
}

interface Leaving {
  readonly merges: number;
  readonly ms: number;
  readonly flushes: number;
  readonly pending: number;
  readonly count: number;
}

async function leave(
  fixture: Fixture,
  wave: { from: number; count: number; batch: number; edits: number },
): Promise<Leaving> {
  const proposer = start(fixture, wave.batch);
  await proposer.flush();
  const before = proposer.state();
  const started = performance.now();
  const leavers = Array.from({ length: wave.count }, (_, index) => idOf(wave.from + index));
  const editors = Array.from({ length: wave.edits }, (_, index) => idOf(PEOPLE - 1 - index));
  await Promise.all([
    ...leavers.map((id) => patch(fixture.ledger, "User", id, { active: false })),
    ...editors.map((id, index) => patch(fixture.ledger, "User", id, { displayName: `Edited ${index}` })),
  ]);
  const done = () => proposer.state().emergencies.mergedCases - before.emergencies.mergedCases >= wave.count;
  while (!done()) {
    if (performance.now() - started > 600_000)
      throw new Error("the deactivations did not reach main in 10 min");
    await sleep(20);
  }
  const ms = performance.now() - started;
  const after = proposer.state();
  await proposer.close();
  return {
    merges: after.emergencies.merged - before.emergencies.merged,
    ms,
    flushes: after.flushes - before.flushes,
    pending: after.pendingChanges,
    count: wave.count,
  };
}

function start(fixture: Fixture, batch: number): Proposer {
  return startProposer({
    ledger: fixture.ledger,
    repo: fixture.repo,
    debounceMs: 300,
    maxEmergencyBatch: batch,
    watchMainMs: 0,
    now: () => NOW,
  });
}
