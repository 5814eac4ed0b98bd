import type { KV, KvEntry, NatsConnection } from "nats";

/** Enough history for the bucket to be an audit trail of every grant and revocation (64 is JetStream's max). */
const BUCKET_HISTORY = 64;

export class NatsBucketError extends Error {
  override name = "NatsBucketError";
}

/** The bucket if it exists; `undefined` when it does not (plan must not create anything). */
export async function findBucket(nc: NatsConnection, name: string): Promise<KV | undefined> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(`KV_${name}`);
  } catch (error) {
    if (error instanceof Error && /stream not found/i.test(error.message)) return undefined;
    throw new NatsBucketError(
      `cannot read the KV bucket ${name}: check that JetStream is enabled for the AUTH account`,
      {
        cause: error,
      },
    );
  }
  return nc.jetstream().views.kv(name, { bindOnly: true });
}

/** The bucket, created with history when missing. */
export async function openOrCreateBucket(nc: NatsConnection, name: string): Promise<KV> {
  try {
    return await nc.jetstream().views.kv(name, { history: BUCKET_HISTORY });
  } catch (error) {
    throw new NatsBucketError(
      `cannot open or create the KV bucket ${name}: check JetStream limits of the AUTH account`,
      {
        cause: error,
      },
    );
  }
}

/** Every key's latest live value (deleted keys left out), read with one watch. */
export async function snapshotBucket(kv: KV): Promise<KvEntry[]> {
  const entries = new Map<string, KvEntry>();
  let done!: () => void;
  const initialised = new Promise<void>((resolve) => (done = resolve));
  const watch = await kv.watch({ initializedFn: () => done() });
  const reading = (async () => {
    for await (const entry of watch) {
      if (entry.operation === "PUT") entries.set(entry.key, entry);
      else entries.delete(entry.key);
    }
  })();
  await initialised;
  watch.stop();
  await reading;
  return [...entries.values()];
}
