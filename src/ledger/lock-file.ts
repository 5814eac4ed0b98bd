/**
 * One serve per data directory (DESIGN §4): a lock file holding the owner's pid, created exclusively. A lock
 * whose pid is no longer running (a crash, kill -9) is taken over, and the caller logs that it was.
 */
import { open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { LedgerIoError, LedgerLockedError } from "./errors.js";

export interface HeldLock {
  readonly path: string;
  /** The pid of a dead owner whose lock was taken over, if any. */
  readonly tookOverFrom: number | undefined;
  release(): Promise<void>;
}

/** Locks this process holds, so a lock naming our own pid can be told apart from a stale one (containers
 * restart with the same pid). */
const heldHere = new Set<string>();

export async function acquireLock(path: string): Promise<HeldLock> {
  const mine = `${process.pid}\n`;
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(mine);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return heldLock(path, undefined);
  } catch (error) {
    if (!isCode(error, "EEXIST")) {
      throw new LedgerIoError(
        `Cannot create the lock file ${path}: check the --data directory's permissions`,
        {
          cause: error,
        },
      );
    }
  }
  let owner = await readOwner(path);
  // A lock without a pid yet may be a moment old: its creator writes the pid right after creating it.
  if (owner === undefined)
    owner = await new Promise((resolve) => setTimeout(resolve, 200)).then(() => readOwner(path));
  const stale = owner === undefined || (owner === process.pid ? !heldHere.has(path) : !isRunning(owner));
  if (!stale) throw new LedgerLockedError(path, owner ?? -1);
  // Replace the stale lock atomically; if two processes race for it, the one whose pid stays in it wins.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, mine, { mode: 0o600 });
  await rename(temporary, path);
  const after = await readOwner(path);
  if (after !== process.pid) throw new LedgerLockedError(path, after ?? -1);
  return heldLock(path, owner ?? -1);
}

function heldLock(path: string, tookOverFrom: number | undefined): HeldLock {
  heldHere.add(path);
  let released = false;
  return {
    path,
    tookOverFrom,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      if ((await readOwner(path)) === process.pid) await unlink(path).catch(() => undefined);
    },
  };
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(error, "EPERM");
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
