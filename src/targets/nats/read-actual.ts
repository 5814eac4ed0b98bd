import type { KV } from "nats";
import type { RevocationScope } from "../target.js";
import type { NatsSettings } from "./policy/nats-model.js";
import type { NatsActual } from "./actual-state.js";
import { findBucket, snapshotBucket } from "./bucket.js";
import type { NatsTargetConnection } from "./connect-nats.js";
import { decodeEntry, keyForPrincipal, principalForKey, type NatsEntry } from "./entry.js";

/**
 * All entries of the bucket, or with a revocation scope only its principals' entries (one get each, not a
 * watch over every key); a missing bucket reads as empty (apply creates it).
 */
export async function readNatsActual(
  connection: NatsTargetConnection,
  settings: NatsSettings,
  scope?: RevocationScope,
): Promise<NatsActual> {
  const nc = await connection.auth();
  const kv = await findBucket(nc, settings.bucket);
  if (kv === undefined) return { bucket: settings.bucket, bucketExists: false, entries: {}, unreadable: {} };
  const entries: Record<string, NatsEntry> = {};
  const unreadable: Record<string, string> = {};
  const items = scope === undefined ? await snapshotBucket(kv) : await readKeys(kv, scope.principals);
  for (const item of items) {
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

async function readKeys(
  kv: KV,
  principals: Iterable<string>,
): Promise<{ readonly key: string; readonly value: Uint8Array }[]> {
  const read = await Promise.all([...principals].map((principal) => kv.get(keyForPrincipal(principal))));
  return read.flatMap((entry) => (entry !== null && entry.operation === "PUT" ? [entry] : []));
}
