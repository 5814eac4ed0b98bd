/**
 * The journal on disk: read and trimmed to its intact records at start, then appended to. An append is
 * durable once `append` resolves (write, then fdatasync); the ledger batches many records into one append.
 * An append that fails is cut off again, so the file holds only what was acknowledged (see `append`).
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { LedgerIoError } from "./errors.js";
import {
  decodeJournal,
  JournalReplayError,
  type DecodedJournal,
  type JournalRecord,
} from "./journal-record.js";
import { syncDirectory } from "./snapshot-file.js";

/** How written bytes are made durable: fdatasync, unless a test counts or holds the calls. */
export type SyncFile = (handle: FileHandle) => Promise<void>;

export const fdatasync: SyncFile = (handle) => handle.datasync();

export interface ReadJournal {
  readonly records: readonly JournalRecord[];
  readonly exists: boolean;
  /** Bytes dropped from the end: a torn last record, or writes no one was told about. */
  readonly droppedBytes: number;
  readonly droppedRecords: number;
}

export class JournalFile {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #sync: SyncFile;
  #bytes: number;

  private constructor(path: string, handle: FileHandle, bytes: number, sync: SyncFile) {
    this.#path = path;
    this.#handle = handle;
    this.#bytes = bytes;
    this.#sync = sync;
  }

  /** Reads every intact record and cuts anything after them, so new records never follow a torn one. */
  static async open(
    path: string,
    sync: SyncFile = fdatasync,
  ): Promise<{ journal: JournalFile; read: ReadJournal }> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new LedgerIoError(`Cannot read the ledger journal ${path}`, { cause: error });
      }
    }
    const decoded = bytes === undefined ? undefined : decodeOrExplain(path, bytes);
    const validBytes = decoded?.validBytes ?? 0;
    try {
      const handle = await open(path, "a", 0o600);
      if (bytes === undefined) await syncDirectory(dirname(path));
      if (bytes !== undefined && validBytes < bytes.length) {
        await handle.truncate(validBytes);
        await sync(handle);
      }
      return {
        journal: new JournalFile(path, handle, validBytes, sync),
        read: {
          records: decoded?.records ?? [],
          exists: bytes !== undefined,
          droppedBytes: (bytes?.length ?? 0) - validBytes,
          droppedRecords: decoded?.droppedRecords ?? 0,
        },
      };
    } catch (error) {
      throw new LedgerIoError(`Cannot open the ledger journal ${path} for writing: check permissions`, {
        cause: error,
      });
    }
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Writes and syncs `data` after everything appended so far. If either fails, the file is cut back to the
   * last acknowledged byte, so a restart does not replay records whose writes were refused (a failed
   * fsync may still have left them in the page cache). The cut is best effort: a disk that refuses it
   * may keep some of those records, which a restart then replays as if they had been acknowledged.
   */
  async append(data: Buffer): Promise<void> {
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.#handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await this.#sync(this.#handle);
      this.#bytes += data.length;
    } catch (error) {
      await this.#cutBack();
      throw new LedgerIoError(`Cannot append to the ledger journal ${this.#path}: check free space`, {
        cause: error,
      });
    }
  }

  async #cutBack(): Promise<void> {
    try {
      await this.#handle.truncate(this.#bytes);
      await this.#sync(this.#handle);
    } catch {
      // The append's own error is the one to report; the ledger stops taking writes either way.
    }
  }

  /** After a snapshot holds everything: the journal starts again empty. */
  async clear(): Promise<void> {
    try {
      await this.#handle.truncate(0);
      await this.#sync(this.#handle);
      this.#bytes = 0;
    } catch (error) {
      throw new LedgerIoError(`Cannot truncate the ledger journal ${this.#path}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

function decodeOrExplain(path: string, bytes: Buffer): DecodedJournal {
  try {
    return decodeJournal(bytes);
  } catch (error) {
    if (!(error instanceof JournalReplayError)) throw error;
    throw new LedgerIoError(
      `The ledger journal ${path} cannot be read: ${error.message}; run the scim-gitops version that ` +
        `wrote it, or use another --data`,
      { cause: error },
    );
  }
}
