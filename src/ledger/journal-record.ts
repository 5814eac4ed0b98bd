/**
 * One journal line: `<crc32 as 8 hex digits> <JSON>\n`. The checksum lets replay tell a torn or partly
 * written last record (a crash mid-append) from a complete one.
 */
import { crc32 } from "node:zlib";
import type { LedgerOperation, ResourceType, ScimResource } from "./ledger.js";

export interface JournalRecord {
  readonly seq: number;
  readonly type: ResourceType;
  readonly id: string;
  readonly operation: LedgerOperation;
  /** Undefined after a delete. */
  readonly after: ScimResource | undefined;
  readonly at: string;
}

interface StoredRecord {
  s: number;
  t: ResourceType;
  i: string;
  o: LedgerOperation;
  a: ScimResource | null;
  at: string;
}

const NEWLINE = 0x0a;

export function encodeRecord(record: JournalRecord): string {
  const stored: StoredRecord = {
    s: record.seq,
    t: record.type,
    i: record.id,
    o: record.operation,
    a: record.after ?? null,
    at: record.at,
  };
  const json = JSON.stringify(stored);
  return `${checksumOf(json)} ${json}\n`;
}

function checksumOf(json: string): string {
  return crc32(json).toString(16).padStart(8, "0");
}

function decodeLine(line: string): JournalRecord | undefined {
  if (line.length < 10 || line[8] !== " ") return undefined;
  const json = line.slice(9);
  if (checksumOf(json) !== line.slice(0, 8)) return undefined;
  try {
    const stored = JSON.parse(json) as StoredRecord;
    return {
      seq: stored.s,
      type: stored.t,
      id: stored.i,
      operation: stored.o,
      after: stored.a ?? undefined,
      at: stored.at,
    };
  } catch {
    return undefined;
  }
}

export interface DecodedJournal {
  readonly records: JournalRecord[];
  /** Bytes at the start of the journal made of complete, intact records. */
  readonly validBytes: number;
  /** Intact-looking records after the first damaged one, dropped with it (for the log). */
  readonly droppedRecords: number;
}

/**
 * Every intact record up to the first damaged or incomplete one. Since a batch is acknowledged only after
 * its fsync, and batches are appended in order, damage can only sit in writes nobody was told about:
 * everything from the first damaged record on belongs to them (a crash mid-append, or a power loss that
 * kept a later page of the last batch and lost an earlier one).
 */
export function decodeJournal(bytes: Buffer): DecodedJournal {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(NEWLINE, offset);
    if (end === -1) break;
    const record = decodeLine(bytes.toString("utf8", offset, end));
    if (record === undefined) break;
    records.push(record);
    offset = end + 1;
  }
  return { records, validBytes: offset, droppedRecords: countIntactAfter(bytes, offset) };
}

function countIntactAfter(bytes: Buffer, from: number): number {
  let count = 0;
  let offset = bytes.indexOf(NEWLINE, from);
  while (offset !== -1) {
    const end = bytes.indexOf(NEWLINE, offset + 1);
    if (end === -1) break;
    if (decodeLine(bytes.toString("utf8", offset + 1, end)) !== undefined) count++;
    offset = end;
  }
  return count;
}
