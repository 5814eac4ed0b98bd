/**
 * The compacted ledger: every resource as of `seq`, in creation order. Written atomically (temporary file,
 * fsync, rename, fsync of the directory), so a crash leaves either the old snapshot or the new one.
 */
import { open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { LedgerIoError } from "./errors.js";
import type { ScimResource } from "./ledger.js";

const FORMAT = "scim-gitops-ledger-snapshot";

export interface Snapshot {
  readonly seq: number;
  readonly users: readonly ScimResource[];
  readonly groups: readonly ScimResource[];
}

interface StoredSnapshot {
  format: typeof FORMAT;
  version: 1;
  seq: number;
  users: ScimResource[];
  groups: ScimResource[];
}

export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LedgerIoError(`Cannot read the ledger snapshot ${path}`, { cause: error });
  }
  let stored: StoredSnapshot;
  try {
    stored = JSON.parse(text) as StoredSnapshot;
  } catch (error) {
    throw new LedgerIoError(
      `The ledger snapshot ${path} is damaged: move the data directory aside and restart; the ledger is ` +
        `then rebuilt from the policy repository and the IdP's next sync`,
      { cause: error },
    );
  }
  if (stored.format !== FORMAT || stored.version !== 1) {
    throw new LedgerIoError(
      `${path} is not a ledger snapshot this version understands (format ${String(stored.format)}, ` +
        `version ${String(stored.version)}): run the scim-gitops version that wrote it, or use another --data`,
    );
  }
  return { seq: stored.seq, users: stored.users, groups: stored.groups };
}

/** Serialised by the caller in one step, so the snapshot is one consistent moment of the ledger. */
export function serialiseSnapshot(snapshot: Snapshot): string {
  const stored = { format: FORMAT, version: 1, ...snapshot };
  return JSON.stringify(stored);
}

export async function writeSnapshot(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new LedgerIoError(`Cannot write the ledger snapshot ${path}: check free space and permissions`, {
      cause: error,
    });
  }
}

/** A rename or a new file is durable only once its directory entry is. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
