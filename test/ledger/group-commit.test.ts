/**
 * Group commit, seen through the journal's fsync seam: writes that arrive while an fsync runs share the
 * next one, none is acknowledged before the fsync covering it completed, and a failed fsync refuses its
 * whole group and everything queued behind it, in memory and in the file.
 */
import { cp, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerIoError } from "../../src/ledger/errors.js";
import type { SyncFile } from "../../src/ledger/journal-file.js";
import type { JournalLedger } from "../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../src/ledger/journal-ledger.js";
import type { LedgerChange } from "../../src/ledger/ledger.js";
import { makeDataDir, user } from "./ledger-fixture.js";

let dir: string;
let remove: () => Promise<void>;
const open: JournalLedger[] = [];

beforeEach(async () => {
  ({ dir, remove } = await makeDataDir());
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close()));
  await remove();
});

interface HeldSyncs {
  readonly sync: SyncFile;
  readonly calls: { finish: (error?: Error) => void }[];
  /** Resolves once `n` fsyncs have started. */
  readonly started: (n: number) => Promise<void>;
  /** Lets every held and later fsync go through (so close() can compact). */
  readonly releaseAll: () => void;
}

/** An fsync seam whose calls the test lets finish (or fail) one by one. */
function heldSyncs(): HeldSyncs {
  const calls: { finish: (error?: Error) => void }[] = [];
  const watchers: (() => void)[] = [];
  let released = false;
  const sync: SyncFile = (handle) => {
    if (released) return handle.datasync();
    return new Promise<void>((resolve, reject) => {
      calls.push({
        finish: (error) => {
          if (error === undefined) handle.datasync().then(resolve, reject);
          else reject(error);
        },
      });
      for (const watcher of watchers.splice(0)) watcher();
    });
  };
  return {
    sync,
    calls,
    started: async (n) => {
      while (calls.length < n) await new Promise<void>((resolve) => watchers.push(resolve));
    },
    releaseAll: () => {
      released = true;
      for (const call of calls.splice(0)) call.finish();
    },
  };
}

/** Lets every pending callback and I/O completion run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function openWith(options: Partial<Parameters<typeof openLedger>[0]>): Promise<JournalLedger> {
  const ledger = await openLedger({ dir, ...options });
  open.push(ledger);
  return ledger;
}

function tracked(promise: Promise<LedgerChange>): { done: boolean; promise: Promise<LedgerChange> } {
  const entry = { done: false, promise };
  void promise.then(
    () => (entry.done = true),
    () => (entry.done = true),
  );
  return entry;
}

describe("group commit", () => {
  it("shares one fsync among the writes that arrived during the last, acknowledging each only after it", async () => {
    const { sync, calls, started, releaseAll } = heldSyncs();
    const ledger = await openWith({ syncFile: sync });
    const heard: number[] = [];
    ledger.subscribe((change) => heard.push(change.seq));

    const first = tracked(ledger.update("User", "a", "create", () => user("a", "a@x.io")));
    await started(1);
    const during = Array.from({ length: 50 }, (_, n) =>
      tracked(ledger.update("User", `b${n}`, "create", () => user(`b${n}`, `b${n}@x.io`))),
    );
    await settle();
    expect(first.done).toBe(false);
    expect(during.some((write) => write.done)).toBe(false);

    calls[0]!.finish();
    await first.promise;
    await started(2);
    await settle();
    expect(calls).toHaveLength(2);
    expect(during.some((write) => write.done)).toBe(false);
    expect(heard).toEqual([1]);

    calls[1]!.finish();
    const changes = await Promise.all(during.map((write) => write.promise));
    expect(changes.map((change) => change.seq)).toEqual(Array.from({ length: 50 }, (_, n) => n + 2));
    expect(heard).toEqual(Array.from({ length: 51 }, (_, n) => n + 1));
    expect(calls).toHaveLength(2);
    expect(ledger.health().fsyncs).toBe(2);
    releaseAll();
  });

  it("gives every write an fsync of its own when group commit is off (the benchmark's baseline)", async () => {
    let syncs = 0;
    const ledger = await openWith({
      groupCommit: false,
      syncFile: (handle) => {
        syncs++;
        return handle.datasync();
      },
    });
    const changes = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        ledger.update("User", `u${n}`, "create", () => user(`u${n}`, `u${n}@x.io`)),
      ),
    );
    expect(changes.map((change) => change.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect(syncs).toBe(20);
  });

  it("refuses the whole group of a failed fsync and what queued behind it, in memory and in the file", async () => {
    const { sync, calls, started } = heldSyncs();
    const ledger = await openWith({ syncFile: sync });
    const acknowledged = ledger.update("User", "a", "create", () => user("a", "a@x.io"));
    await started(1);
    calls[0]!.finish();
    await acknowledged;

    const group = Array.from({ length: 10 }, (_, n) =>
      ledger.update("User", `b${n}`, "create", () => user(`b${n}`, `b${n}@x.io`)),
    );
    const renameOfA = ledger.update("User", "a", "patch", (current) => ({ ...current!, title: "changed" }));
    await started(2);
    const queued = Array.from({ length: 5 }, (_, n) =>
      ledger.update("User", `c${n}`, "create", () => user(`c${n}`, `c${n}@x.io`)),
    );
    // A copy now is what a crash during the failing fsync leaves: the group's records are in the file.
    const crashCopy = `${dir}-during`;
    await cp(dir, crashCopy, { recursive: true });
    calls[1]!.finish(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    await started(3);
    calls[2]!.finish(); // the journal cut back to its last acknowledged byte

    const outcomes = await Promise.allSettled([...group, renameOfA, ...queued]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(LedgerIoError);
    }
    expect(ledger.list("User").map((resource) => resource.id)).toEqual(["a"]);
    expect(ledger.get("User", "a")?.title).toBeUndefined();
    expect(ledger.health()).toMatchObject({ ok: false, pendingWrites: 0 });
    await expect(ledger.update("User", "d", "create", () => user("d", "d@x.io"))).rejects.toBeInstanceOf(
      LedgerIoError,
    );
    await ledger.close();

    const reopened = await openWith({});
    expect(reopened.list("User").map((resource) => resource.id)).toEqual(["a"]);
    expect(reopened.lastSeq).toBe(1);
    // Without the cut, the refused group would come back: it was written before its fsync failed.
    await rm(join(crashCopy, "ledger.lock"));
    const beforeCut = await openLedger({ dir: crashCopy });
    try {
      expect(beforeCut.list("User").length).toBeGreaterThan(1);
    } finally {
      await beforeCut.close();
    }
  });
});

describe("journals written before records held deltas (format version 1)", () => {
  it("open with every resource as it was written, and take new records after them", async () => {
    const fixture = join(import.meta.dirname, "..", "fixtures", "ledger-v1");
    await mkdir(dir, { recursive: true });
    await cp(join(fixture, "journal.log"), join(dir, "journal.log"));
    const expected = JSON.parse(await readFile(join(fixture, "expected.json"), "utf8")) as {
      users: unknown[];
      groups: unknown[];
    };
    const ledger = await openWith({});
    expect(JSON.stringify(ledger.list("User"))).toBe(JSON.stringify(expected.users));
    expect(JSON.stringify(ledger.list("Group"))).toBe(JSON.stringify(expected.groups));
    expect(ledger.lastSeq).toBe(10);

    await ledger.update("Group", "g1", "patch", (current) => ({
      ...current!,
      members: [...(current!.members as object[]), { value: "u2", display: "u2" }],
    }));
    const mixed = `${dir}-mixed`;
    await cp(dir, mixed, { recursive: true });
    await rm(join(mixed, "ledger.lock"));
    const reopened = await openLedger({ dir: mixed });
    try {
      expect(reopened.get("Group", "g1")?.members).toEqual([
        { value: "u1", display: "u1" },
        { value: "u3", display: "u3" },
        { value: "u2", display: "u2" },
      ]);
      expect(JSON.stringify(reopened.list("User"))).toBe(JSON.stringify(expected.users));
    } finally {
      await reopened.close();
    }
  });
});
