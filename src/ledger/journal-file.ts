/**
 * The journal on disk: read and trimmed to its intact records at start, then appended to. An append is
 * durable once `append` resolves (write, then fdatasync); the ledger batches many records into one append.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { LedgerIoError } from "./errors.js";
import { decodeJournal, type JournalRecord } from "./journal-record.js";
import { syncDirectory } from "./snapshot-file.js";

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
  #bytes: number;

  private constructor(path: string, handle: FileHandle, bytes: number) {
    this.#path = path;
    this.#handle = handle;
    this.#bytes = bytes;
  }

  /** Reads every intact record and cuts anything after them, so new records never follow a torn one. */
  static async open(path: string): Promise<{ journal: JournalFile; read: ReadJournal }> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new LedgerIoError(`Cannot read the ledger journal ${path}`, { cause: error });
      }
    }
    const decoded = bytes === undefined ? undefined : decodeJournal(bytes);
    const validBytes = decoded?.validBytes ?? 0;
    try {
      const handle = await open(path, "a", 0o600);
      if (bytes === undefined) await syncDirectory(dirname(path));
      if (bytes !== undefined && validBytes < bytes.length) {
        await handle.truncate(validBytes);
        await handle.datasync();
      }
      return {
        journal: new JournalFile(path, handle, validBytes),
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

  async append(data: Buffer): Promise<void> {
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.#handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await this.#handle.datasync();
      this.#bytes += data.length;
    } catch (error) {
      throw new LedgerIoError(`Cannot append to the ledger journal ${this.#path}: check free space`, {
        cause: error,
      });
    }
  }

  /** After a snapshot holds everything: the journal starts again empty. */
  async clear(): Promise<void> {
    try {
      await this.#handle.truncate(0);
      await this.#handle.datasync();
      this.#bytes = 0;
    } catch (error) {
      throw new LedgerIoError(`Cannot truncate the ledger journal ${this.#path}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
