/**
 * The identity ledger on local disk (DESIGN §4): a snapshot plus an append-only journal under `--data`,
 * locked to one process. Opening rebuilds memory from the snapshot and the journal records after it;
 * writes go through DurableLedger (group commit, acknowledged after fsync).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DurableLedger } from "./durable-ledger.js";
import { LedgerIoError } from "./errors.js";
import { JournalFile } from "./journal-file.js";
import { JournalReplayError, replayRecord, type JournalRecord } from "./journal-record.js";
import type { JournalLedger, LedgerOptions } from "./journal-ledger-contract.js";
import { LedgerState } from "./ledger-state.js";
import { acquireLock, type HeldLock } from "./lock-file.js";
import { readSnapshot, serialiseSnapshot, writeSnapshot } from "./snapshot-file.js";
import { stripPassword } from "./strip-password.js";

export async function openLedger(options: LedgerOptions): Promise<JournalLedger> {
  const dir = options.dir;
  const log = options.log ?? (() => undefined);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LedgerIoError(`Cannot create the data directory ${dir}: check the --data path`, {
      cause: error,
    });
  }
  const lock = await acquireLock(join(dir, "ledger.lock"));
  if (lock.tookOverFrom !== undefined) {
    log(`ledger: took over the lock of process ${lock.tookOverFrom}, which is no longer running`);
  }
  try {
    return await loadLedger(dir, lock, options, log);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function loadLedger(
  dir: string,
  lock: HeldLock,
  options: LedgerOptions,
  log: (line: string) => void,
): Promise<JournalLedger> {
  const snapshotPath = join(dir, "snapshot.json");
  const state = new LedgerState();
  let snapshot = await readSnapshot(snapshotPath);
  const journalPath = join(dir, "journal.log");
  const { journal, read } = await JournalFile.open(journalPath, options.syncFile);
  if (snapshot === undefined && !read.exists && options.seed !== undefined) {
    const seeded = await options.seed();
    snapshot = { seq: 0, users: seeded.users.map(stripPassword), groups: seeded.groups.map(stripPassword) };
    await writeSnapshot(snapshotPath, serialiseSnapshot(snapshot));
    log(
      `ledger: seeded ${snapshot.users.length} users and ${snapshot.groups.length} groups from the policy repository`,
    );
  }
  for (const user of snapshot?.users ?? []) state.force("User", user.id, user);
  for (const group of snapshot?.groups ?? []) state.force("Group", group.id, group);
  let seq = snapshot?.seq ?? 0;
  let replayed = 0;
  try {
    for (const record of read.records) {
      if (record.seq <= seq) continue;
      state.force(record.type, record.id, replayOrExplain(state, record, journalPath));
      seq = record.seq;
      replayed++;
    }
  } catch (error) {
    await journal.close();
    throw error;
  }
  if (read.droppedBytes > 0) {
    log(
      `ledger: dropped ${read.droppedBytes} bytes at the end of the journal (a write cut short by a crash` +
        `${read.droppedRecords > 0 ? `, and ${read.droppedRecords} records after it` : ""}); none was acknowledged`,
    );
  }
  log(
    `ledger: ${state.count("User")} users, ${state.count("Group")} groups at seq ${seq} ` +
      `(${replayed} journal records replayed)`,
  );
  return new DurableLedger({ dir, lock, journal, state, seq, snapshotPath, options, log });
}

function replayOrExplain(state: LedgerState, record: JournalRecord, journalPath: string) {
  try {
    return replayRecord(state.get(record.type, record.id), record);
  } catch (error) {
    if (!(error instanceof JournalReplayError)) throw error;
    throw new LedgerIoError(
      `The ledger journal ${journalPath} does not fit the snapshot beside it (${error.message}): move the ` +
        `data directory aside and restart; the ledger is then rebuilt from the policy repository and the ` +
        `IdP's next sync`,
      { cause: error },
    );
  }
}
