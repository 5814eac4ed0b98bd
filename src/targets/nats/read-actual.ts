import type { NatsSettings } from "./policy/nats-model.js";
import type { NatsActual } from "./actual-state.js";
import { findBucket, snapshotBucket } from "./bucket.js";
import type { NatsTargetConnection } from "./connect-nats.js";
import { decodeEntry, principalForKey, type NatsEntry } from "./entry.js";

/** All entries of the bucket; a missing bucket reads as empty (apply creates it). */
export async function readNatsActual(
  connection: NatsTargetConnection,
  settings: NatsSettings,
): Promise<NatsActual> {
  const nc = await connection.auth();
  const kv = await findBucket(nc, settings.bucket);
  if (kv === undefined) return { bucket: settings.bucket, bucketExists: false, entries: {}, unreadable: {} };
  const entries: Record<string, NatsEntry> = {};
  const unreadable: Record<string, string> = {};
  for (const item of await snapshotBucket(kv)) {
    try {
      const entry = decodeEntry(item.key, item.value);
      if (principalForKey(item.key) !== entry.principal) {
        unreadable[item.key] = `its principal ${entry.principal} does not match the key`;
        continue;
      }
      entries[entry.principal] = entry;
    } catch (error) {
      unreadable[item.key] = error instanceof Error ? error.message : String(error);
    }
  }
  return { bucket: settings.bucket, bucketExists: true, entries, unreadable };
}
