import { describe, expect, it } from "vitest";
import type { LedgerChange } from "../../src/ledger/ledger.js";
import type { CoreState, Decision, ProposerConfig } from "../../src/proposals/proposer-core.js";
import {
  begin,
  decide,
  emergencyQueueStats,
  initialState,
  isSettled,
} from "../../src/proposals/proposer-core.js";
import {
  afterSyncFailed,
  changeArrived,
  emergencyFailed,
  emergencyFinished,
  flushRequested,
  mainChecked,
  mainMayHaveMoved,
  recovered,
  recoveryFailed,
  settingsFailed,
  settingsRead,
  syncFailed,
  syncSucceeded,
} from "../../src/proposals/proposer-events.js";
import type { EmergencyCase } from "../../src/proposals/emergency-trigger.js";

const CONFIG: ProposerConfig = {
  debounceMs: 300,
  maxWaitMs: 5_000,
  maxBatch: 4,
  watchMainMs: 0,
  emergencyBatch: 3,
  retryDelaysMs: [500, 2_000, 10_000, 30_000],
};

let seq = 0;
function userChange(id: string, before: boolean | undefined, after: boolean | undefined): LedgerChange {
  const resource = (active: boolean) => ({ id, userName: `${id}@example.com`, active });
  return {
    seq: ++seq,
    type: "User",
    id,
    operation: after === undefined ? "delete" : "patch",
    before: before === undefined ? undefined : resource(before),
    after: after === undefined ? undefined : resource(after),
    at: "2026-11-29T02:15:00.000Z",
  };
}
const edit = (id: string) => userChange(id, true, true);
const deactivate = (id: string) => userChange(id, true, false);

/** Past start-up: recovered (main at `m1`, its settings read) and the first sync done. */
function running(now = 0): CoreState {
  let state = initialState(now, CONFIG);
  state = perform(state, now, "recover");
  state = recovered(state, { base: "m1", triggers: ["deactivated", "deleted"], found: [] }, now);
  state = perform(state, now, "sync");
  return syncSucceeded(state, "m1");
}

/** Asserts the next decision's kind and begins it. */
function perform(state: CoreState, now: number, kind: Decision["kind"]): CoreState {
  const decision = decide(state, now, CONFIG);
  expect(decision.kind).toBe(kind);
  if (decision.kind === "wait") return state;
  return begin(state, decision, now, CONFIG);
}

function emergencyBatchAt(state: CoreState, now: number): readonly EmergencyCase[] {
  const decision = decide(state, now, CONFIG);
  if (decision.kind !== "emergency") throw new Error(`expected an emergency, got ${decision.kind}`);
  return decision.batch.map((entry) => entry.emergency);
}

describe("start-up", () => {
  it("recovers first, then revokes what it found before it syncs, then reads nothing twice", () => {
    let state = initialState(0, CONFIG);
    state = perform(state, 0, "recover");
    expect(decide(state, 0, CONFIG)).toEqual({ kind: "wait" });
    const missed: EmergencyCase = {
      trigger: "deactivated",
      kind: "user",
      id: "alice",
      userName: "alice@example.com",
      operation: undefined,
      at: "2026-11-29T02:15:00.000Z",
    };
    state = recovered(state, { base: "m1", triggers: ["deactivated"], found: [missed] }, 0);
    expect(emergencyBatchAt(state, 0)).toEqual([missed]);
    state = perform(state, 0, "emergency");
    state = emergencyFinished(state, { kind: "finished", mergeCommit: "m2" }, 10);
    expect(state.mainHead).toBe("m2");
    // The merge moved main: its settings are read again before anything else, then the sync rebuilds.
    expect(decide(state, 10, CONFIG)).toEqual({ kind: "read-settings", head: "m2" });
    state = perform(state, 10, "read-settings");
    state = settingsRead(state, "m2", ["deactivated"]);
    state = perform(state, 10, "sync");
    state = syncSucceeded(state, "m2");
    expect(decide(state, 10, CONFIG)).toEqual({ kind: "wait" });
    expect(isSettled(state, 10, CONFIG)).toBe(true);
  });
});

describe("sync batching", () => {
  it("waits out the debounce after the last change, and flushes every change waiting then", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = changeArrived(state, edit("b"), 1_200);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_500 });
    const decision = decide(state, 1_500, CONFIG);
    expect(decision).toMatchObject({ kind: "sync", operations: [{ id: "a" }, { id: "b" }] });
  });

  it("flushes a steady stream at maxWaitMs, however short the gaps", () => {
    const config = { ...CONFIG, maxBatch: 5_000 };
    let state = running();
    for (let at = 1_000; at < 6_000; at += 100) state = changeArrived(state, edit(`u${at}`), at);
    expect(decide(state, 5_900, config)).toMatchObject({ kind: "wait", wakeAt: 6_000 });
    expect(decide(state, 6_000, config).kind).toBe("sync");
  });

  it("flushes at once when the size cap is reached", () => {
    let state = running();
    for (const id of ["a", "b", "c"]) state = changeArrived(state, edit(id), 1_000);
    expect(decide(state, 1_000, CONFIG).kind).toBe("wait");
    state = changeArrived(state, edit("d"), 1_000);
    expect(decide(state, 1_000, CONFIG)).toMatchObject({ kind: "sync", operations: { length: 4 } });
  });

  it("keeps changes arriving during a flush for the next one", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = changeArrived(state, edit("b"), 1_400);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait" });
    state = syncSucceeded(state, "m1");
    expect(state.pending.map((operation) => operation.id)).toEqual(["b"]);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_700 });
  });
});

describe("failures", () => {
  it("puts a failed flush's operations back in front and backs off 0.5 s, 2 s, 10 s, then 30 s", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = changeArrived(state, edit("b"), 1_350);
    state = syncFailed(state, 1_400, CONFIG);
    expect(state.pending.map((operation) => operation.id)).toEqual(["a", "b"]);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_900 });
    const waits: number[] = [];
    let now = 1_900;
    for (let failure = 0; failure < 4; failure++) {
      state = perform(state, now, "sync");
      state = syncFailed(state, now, CONFIG);
      const next = decide(state, now, CONFIG);
      if (next.kind !== "wait" || next.wakeAt === undefined) throw new Error("expected a backoff");
      waits.push(next.wakeAt - now);
      now = next.wakeAt;
    }
    expect(waits).toEqual([2_000, 10_000, 30_000, 30_000]);
    state = perform(state, now, "sync");
    state = syncSucceeded(state, "m1");
    expect(state.syncFailures).toBe(0);
    expect(state.pending).toEqual([]);
  });

  it("lets flush() through a backoff, but not the debounce timer", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = syncFailed(state, 1_400, CONFIG);
    expect(decide(state, 1_500, CONFIG).kind).toBe("wait");
    expect(decide(flushRequested(state), 1_500, CONFIG).kind).toBe("sync");
  });

  it("keeps a committed flush committed when reading main's settings fails afterwards", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = syncSucceeded(state, "m2");
    state = perform(state, 1_400, "read-settings");
    state = settingsFailed(state, 1_400, CONFIG);
    expect(state).toMatchObject({ pending: [], syncFailures: 0, syncWanted: "no" });
    expect(state.triggers).toEqual(["deactivated", "deleted"]);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_900 });
    expect(decide(state, 1_900, CONFIG)).toEqual({ kind: "read-settings", head: "m2" });
  });

  it("retries a failed emergency batch with backoff until it merges, counting attempts per case", () => {
    let state = running();
    state = changeArrived(state, deactivate("alice"), 1_000);
    state = perform(state, 1_000, "emergency");
    state = emergencyFailed(state, 1_100, CONFIG);
    expect(emergencyQueueStats(state, 1_100)).toEqual({ queued: 1, retrying: 1, oldestQueuedMs: 100 });
    // Its sync commit is still due after the debounce: a retrying emergency does not hold the sync back.
    expect(decide(state, 1_300, CONFIG).kind).toBe("sync");
    expect(decide(state, 1_200, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_300 });
    state = perform(state, 1_300, "sync");
    state = syncSucceeded(state, "m1");
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 1_600 });
    state = perform(state, 1_600, "emergency");
    state = emergencyFailed(state, 1_700, CONFIG);
    expect(decide(state, 1_700, CONFIG)).toEqual({ kind: "wait", wakeAt: 3_700 });
    state = perform(state, 3_700, "emergency");
    state = emergencyFinished(state, { kind: "finished", mergeCommit: "m2" }, 3_800);
    expect(emergencyQueueStats(state, 3_800)).toEqual({ queued: 0, retrying: 0, oldestQueuedMs: 0 });
  });
});

describe("main moving", () => {
  it("rebuilds once more when main moves under a flush (the flush read main before the push)", () => {
    const config = { ...CONFIG, watchMainMs: 2_000 };
    let state: CoreState = { ...running(), nextMainCheckAt: 2_000 };
    state = changeArrived(state, edit("a"), 1_000);
    state = begin(state, { kind: "sync", operations: state.pending }, 1_900, config);
    expect(decide(state, 2_000, config)).toEqual({ kind: "wait" });
    state = syncSucceeded(state, "m1");
    expect(decide(state, 2_000, config)).toEqual({ kind: "check-main" });
    state = begin(state, { kind: "check-main" }, 2_000, config);
    state = mainChecked(state, "m-person");
    expect(decide(state, 2_000, config)).toEqual({ kind: "sync", operations: [] });
  });

  it("asks for a rebuild after an emergency merge, and not after one that merged nothing", () => {
    let state = running();
    state = changeArrived(state, deactivate("alice"), 1_000);
    state = perform(state, 1_000, "emergency");
    const unmerged = emergencyFinished(state, { kind: "finished" }, 1_050);
    expect(unmerged.syncWanted).toBe("no");
    const merged = emergencyFinished(state, { kind: "finished", mergeCommit: "m2" }, 1_050);
    expect(merged.syncWanted).toBe("due");
  });

  it("looks at main every watchMainMs when watching is on", () => {
    const config = { ...CONFIG, watchMainMs: 2_000 };
    let state = initialState(0, config);
    state = begin(state, { kind: "recover" }, 0, config);
    state = recovered(state, { base: "m1", triggers: [], found: [] }, 0);
    state = begin(state, { kind: "sync", operations: [] }, 0, config);
    state = syncSucceeded(state, "m1");
    expect(decide(state, 100, config)).toEqual({ kind: "wait", wakeAt: 2_000 });
    expect(decide(state, 2_000, config)).toEqual({ kind: "check-main" });
    state = begin(state, { kind: "check-main" }, 2_000, config);
    expect(mainChecked(state, "m1").syncWanted).toBe("no");
    expect(mainChecked(state, "m9").syncWanted).toBe("due");
  });
});

describe("a host's retry-after (a rate limit)", () => {
  it("waits exactly that long instead of the backoff, and holds every action meanwhile, flush() too", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = changeArrived(state, deactivate("alice"), 1_350);
    state = syncFailed(state, 1_400, CONFIG, 45_000);
    expect(state.pending.map((operation) => operation.id)).toEqual(["a", "alice"]);
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 46_400 });
    expect(decide(flushRequested(state), 46_399, CONFIG)).toEqual({ kind: "wait", wakeAt: 46_400 });
    expect(decide(state, 46_400, CONFIG).kind).toBe("emergency");
    state = perform(state, 46_400, "emergency");
    state = emergencyFailed(state, 46_500, CONFIG, 3_000);
    expect(decide(state, 46_500, CONFIG)).toEqual({ kind: "wait", wakeAt: 49_500 });
    // The sync flush takes its turn first, as after any failed emergency.
    expect(decide(state, 49_500, CONFIG).kind).toBe("sync");
    expect(emergencyQueueStats(state, 49_500)).toMatchObject({ queued: 1, retrying: 1 });
  });

  it("keeps a committed flush when the PR step after it fails, and runs the step again after the wait", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = afterSyncFailed(state, "m1", 1_400, CONFIG, 10_000);
    expect(state).toMatchObject({ pending: [], syncWanted: "due", mainHead: "m1" });
    expect(state.inFlight).toBeUndefined();
    expect(decide(state, 1_400, CONFIG)).toEqual({ kind: "wait", wakeAt: 11_400 });
    expect(decide(state, 11_400, CONFIG)).toEqual({ kind: "sync", operations: [] });
    state = perform(state, 11_400, "sync");
    state = afterSyncFailed(state, "m1", 11_500, CONFIG);
    expect(decide(state, 11_500, CONFIG)).toEqual({ kind: "wait", wakeAt: 13_500 });
  });

  it("looks for missed deactivations again after a failed start-up look, letting the sync go meanwhile", () => {
    let state = initialState(0, CONFIG);
    state = perform(state, 0, "recover");
    state = recoveryFailed(state, 0, CONFIG, 5_000);
    expect(decide(state, 4_999, CONFIG)).toEqual({ kind: "wait", wakeAt: 5_000 });
    expect(decide(state, 5_000, CONFIG)).toEqual({ kind: "recover" });
    state = perform(state, 5_000, "recover");
    state = recoveryFailed(state, 5_000, CONFIG);
    expect(decide(state, 5_000, CONFIG).kind).toBe("sync");
    state = perform(state, 5_000, "sync");
    state = syncSucceeded(state, "m1");
    state = perform(state, 5_000, "read-settings");
    state = settingsRead(state, "m1", ["deactivated"]);
    expect(decide(state, 5_100, CONFIG)).toEqual({ kind: "wait", wakeAt: 7_000 });
    state = perform(state, 7_000, "recover");
    state = recovered(state, { base: "m1", triggers: ["deactivated"], found: [] }, 7_000);
    expect(state).toMatchObject({ recoverWanted: false, recoverFailures: 0 });
    expect(state.recoverRetryAt).toBeUndefined();
  });
});

describe("a push webhook saying main may have moved", () => {
  it("looks now even with polling off, then waits again: the look is not repeated", () => {
    let state = running();
    expect(decide(state, 1_000, CONFIG)).toEqual({ kind: "wait" });
    state = mainMayHaveMoved(state, 1_000);
    expect(decide(state, 1_000, CONFIG)).toEqual({ kind: "check-main" });
    state = begin(state, { kind: "check-main" }, 1_000, CONFIG);
    state = mainChecked(state, "m-person");
    expect(decide(state, 1_000, CONFIG)).toEqual({ kind: "sync", operations: [] });
    state = perform(state, 1_000, "sync");
    state = syncSucceeded(state, "m-person");
    state = perform(state, 1_100, "read-settings");
    state = settingsRead(state, "m-person", ["deactivated"]);
    expect(decide(state, 1_100, CONFIG)).toEqual({ kind: "wait" });
  });

  it("coalesces repeated calls into one look, and a call during the look asks for one more", () => {
    let state = running();
    state = mainMayHaveMoved(state, 1_000);
    const asked = state;
    expect(mainMayHaveMoved(asked, 1_001)).toBe(asked);
    expect(mainMayHaveMoved(asked, 1_500)).toBe(asked);
    state = begin(state, { kind: "check-main" }, 1_500, CONFIG);
    // This push may have landed after the look in flight read main.
    state = mainMayHaveMoved(state, 1_600);
    state = mainChecked(state, "m1");
    expect(decide(state, 1_600, CONFIG)).toEqual({ kind: "check-main" });
    state = begin(state, { kind: "check-main" }, 1_600, CONFIG);
    state = mainChecked(state, "m1");
    expect(decide(state, 1_700, CONFIG)).toEqual({ kind: "wait" });
  });

  it("brings the next poll forward when polling is on, and polling resumes after the look", () => {
    const config = { ...CONFIG, watchMainMs: 2_000 };
    let state: CoreState = { ...running(), nextMainCheckAt: 2_000 };
    state = mainMayHaveMoved(state, 500);
    expect(decide(state, 500, config)).toEqual({ kind: "check-main" });
    state = begin(state, { kind: "check-main" }, 500, config);
    state = mainChecked(state, "m1");
    expect(decide(state, 600, config)).toEqual({ kind: "wait", wakeAt: 2_500 });
  });
});

describe("emergencies", () => {
  it("takes one arriving mid-flush next, before the debounce of the changes that came with it", () => {
    let state = running();
    state = changeArrived(state, edit("a"), 1_000);
    state = perform(state, 1_300, "sync");
    state = changeArrived(state, deactivate("alice"), 1_350);
    expect(decide(state, 1_350, CONFIG)).toEqual({ kind: "wait" });
    state = syncSucceeded(state, "m1");
    expect(emergencyBatchAt(state, 1_400).map((emergency) => emergency.id)).toEqual(["alice"]);
  });

  it("puts every case waiting into one batch, capped, and alternates with a due sync flush", () => {
    let state = running();
    for (const id of ["a", "b", "c", "d", "e"]) state = changeArrived(state, deactivate(id), 1_000);
    expect(emergencyBatchAt(state, 1_000).map((emergency) => emergency.id)).toEqual(["a", "b", "c"]);
    state = perform(state, 1_000, "emergency");
    state = emergencyFinished(state, { kind: "finished", mergeCommit: "m2" }, 1_100);
    state = settingsRead(state, "m2", ["deactivated", "deleted"]);
    // A sync is due (main moved, and the size cap is reached): it takes its turn before the next batch.
    expect(decide(state, 1_100, CONFIG).kind).toBe("sync");
    state = perform(state, 1_100, "sync");
    state = syncSucceeded(state, "m2");
    state = changeArrived(state, edit("x"), 1_150);
    expect(emergencyBatchAt(state, 1_200).map((emergency) => emergency.id)).toEqual(["d", "e"]);
  });

  it("never lets a stream of emergencies starve the sync flush", () => {
    let state = running();
    const turns: string[] = [];
    let now = 1_000;
    for (let round = 0; round < 6; round++) {
      state = changeArrived(state, deactivate(`leaver${round}`), now);
      now += 400;
      const decision = decide(state, now, CONFIG);
      turns.push(decision.kind);
      state = begin(state, decision as Exclude<Decision, { kind: "wait" }>, now, CONFIG);
      state =
        decision.kind === "sync"
          ? syncSucceeded(state, "m1")
          : emergencyFinished(state, { kind: "finished" }, now);
    }
    expect(turns).toEqual(["emergency", "sync", "emergency", "sync", "emergency", "sync"]);
  });

  it("tries the cases of a refused batch one by one, and drops a refused single case", () => {
    let state = running();
    for (const id of ["a", "b"]) state = changeArrived(state, deactivate(id), 1_000);
    state = perform(state, 1_000, "emergency");
    state = emergencyFinished(state, { kind: "refused" }, 1_100);
    expect(emergencyBatchAt(state, 1_100).map((emergency) => emergency.id)).toEqual(["a"]);
    state = perform(state, 1_100, "emergency");
    state = emergencyFinished(state, { kind: "refused" }, 1_200);
    expect(emergencyBatchAt(state, 1_200).map((emergency) => emergency.id)).toEqual(["b"]);
    state = perform(state, 1_200, "emergency");
    state = emergencyFinished(state, { kind: "finished", mergeCommit: "m2" }, 1_300);
    expect(state.emergencies).toEqual([]);
  });

  it("follows main's triggers: a deactivation is no emergency when main lists only deleted", () => {
    let state = settingsRead(running(), "m1", ["deleted"]);
    state = changeArrived(state, deactivate("alice"), 1_000);
    expect(state.emergencies).toEqual([]);
    state = changeArrived(state, userChange("bob", true, undefined), 1_000);
    expect(state.emergencies.map((entry) => entry.emergency.trigger)).toEqual(["deleted"]);
  });
});
