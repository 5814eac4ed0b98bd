/**
 * One journal line: `<crc32 as 8 hex digits> <JSON>\n`. The checksum lets replay tell a torn or partly
 * written last record (a crash mid-append) from a complete one.
 *
 * Record versions: version 1 (no `v` field, written before issue 11) holds the whole resource after every
 * change in `a`. Version 2 (`"v":2`) holds the whole resource only for a create or a delete (`a`), and for
 * an update the change against the version before (`d`, see resource-delta.ts), so a journal line costs
 * what the request changed, not what the resource holds. Both are read; only version 2 is written. A
 * journal holding version 2 lines cannot be read by a scim-gitops from before version 2.
 */
import { crc32 } from "node:zlib";
import type { LedgerChange, LedgerOperation, ResourceType, ScimResource } from "./ledger.js";
import { diffResource, replayDelta, type ResourceDelta } from "./resource-delta.js";

export type RecordBody =
  /** The resource afterwards; undefined after a delete. */
  | { readonly kind: "whole"; readonly after: ScimResource | undefined }
  | { readonly kind: "delta"; readonly delta: ResourceDelta };

export interface JournalRecord {
  readonly seq: number;
  readonly type: ResourceType;
  readonly id: string;
  readonly operation: LedgerOperation;
  readonly body: RecordBody;
  readonly at: string;
}

interface StoredRecord {
  v?: 2;
  s: number;
  t: ResourceType;
  i: string;
  o: LedgerOperation;
  a?: ScimResource | null;
  d?: ResourceDelta;
  at: string;
}

const NEWLINE = 0x0a;

/** The record a change is journalled as: its delta when it updates a resource, else the whole result. */
export function recordOf(change: LedgerChange): JournalRecord {
  const { seq, type, id, operation, before, after, at } = change;
  const body: RecordBody =
    before !== undefined && after !== undefined
      ? { kind: "delta", delta: diffResource(before, after) }
      : { kind: "whole", after };
  return { seq, type, id, operation, body, at };
}

export function encodeRecord(record: JournalRecord): string {
  const stored: StoredRecord = {
    v: 2,
    s: record.seq,
    t: record.type,
    i: record.id,
    o: record.operation,
    ...(record.body.kind === "whole" ? { a: record.body.after ?? null } : { d: record.body.delta }),
    at: record.at,
  };
  const json = JSON.stringify(stored);
  return `${checksumOf(json)} ${json}\n`;
}

export class JournalReplayError extends Error {
  override name = "JournalReplayError";
}

/** The resource after `record`, given the resource before it (undefined when the ledger holds none). */
export function replayRecord(
  current: ScimResource | undefined,
  record: JournalRecord,
): ScimResource | undefined {
  if (record.body.kind === "whole") return record.body.after;
  if (current === undefined) {
    throw new JournalReplayError(
      `journal record ${record.seq} changes ${record.type} ${record.id}, which the records before it never created`,
    );
  }
  return replayDelta(current, record.body.delta);
}

function checksumOf(json: string): string {
  return crc32(json).toString(16).padStart(8, "0");
}

function bodyOf(stored: StoredRecord): RecordBody | undefined {
  if (stored.v === 2 && stored.d !== undefined) return { kind: "delta", delta: stored.d };
  if (stored.v === undefined || stored.v === 2) return { kind: "whole", after: stored.a ?? undefined };
  return undefined;
}

function decodeLine(line: string): JournalRecord | undefined {
  if (line.length < 10 || line[8] !== " ") return undefined;
  const json = line.slice(9);
  if (checksumOf(json) !== line.slice(0, 8)) return undefined;
  let stored: StoredRecord;
  try {
    stored = JSON.parse(json) as StoredRecord;
  } catch {
    return undefined;
  }
  const body = bodyOf(stored);
  if (body === undefined) {
    throw new JournalReplayError(
      `journal record ${stored.s} has format version ${String(stored.v)}, newer than this scim-gitops reads`,
    );
  }
  return { seq: stored.s, type: stored.t, id: stored.i, operation: stored.o, body, at: stored.at };
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
    try {
      if (decodeLine(bytes.toString("utf8", offset + 1, end)) !== undefined) count++;
    } catch {
      count++;
    }
    offset = end;
  }
  return count;
}
