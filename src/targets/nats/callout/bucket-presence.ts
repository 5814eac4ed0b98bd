import type { JetStreamManager, KV, NatsConnection, Subscription } from "nats";

export interface BucketPresenceEvents {
  /** The bucket exists: first seen, or recreated since it was last seen (a new stream, a new table). */
  appeared(kv: KV): Promise<void>;
  /** JetStream says the bucket does not exist (a failed request is not taken as proof). */
  absent(): Promise<void>;
  /** A check failed for another reason: the current state stands until a check succeeds. */
  unreadable(message: string): void;
  /** A check succeeded and found nothing new. */
  unchanged(): void;
}

export interface BucketPresence {
  /** Checks now instead of at the next poll. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows whether the KV bucket exists, so the callout can start before the first apply and survive the
 * bucket being deleted and recreated. It polls the bucket's stream every `pollMs`, and JetStream's stream
 * advisories wake it early. A recreated bucket is told apart by its stream's creation time, which also
 * catches a delete and recreate between two polls. Resolves after the first check.
 */
export async function followBucketPresence(
  nc: NatsConnection,
  bucket: string,
  pollMs: number,
  events: BucketPresenceEvents,
): Promise<BucketPresence> {
  const stream = `KV_${bucket}`;
  let jsm: JetStreamManager | undefined;
  let seen: string | undefined;
  let confirmedAbsent = false;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const checkOnce = async (): Promise<void> => {
    let created: string | undefined;
    try {
      // No API check: JetStream may be unavailable for a while, and every poll reports that anyway.
      jsm ??= await nc.jetstreamManager({ checkAPI: false });
      created = (await jsm.streams.info(stream)).created;
    } catch (error) {
      if (error instanceof Error && /stream not found/i.test(error.message)) {
        seen = undefined;
        if (confirmedAbsent) return events.unchanged();
        confirmedAbsent = true;
        await events.absent();
        return;
      }
      events.unreadable(error instanceof Error ? error.message : String(error));
      return;
    }
    if (created === seen) return events.unchanged();
    await events.appeared(await nc.jetstream().views.kv(bucket, { bindOnly: true }));
    seen = created;
    confirmedAbsent = false;
  };
  // Checks never overlap: a wake-up during a check queues one more behind it. A failed load is retried at the
  // next check, since `seen` only moves once the table is loaded.
  const check = (): Promise<void> => {
    running = running.then(() =>
      checkOnce().catch((error: unknown) =>
        events.unreadable(error instanceof Error ? error.message : String(error)),
      ),
    );
    return running;
  };

  // An advisory that arrives during a check must not be lost: it stands until the next check starts.
  let woken = false;
  let wake: (() => void) | undefined;
  const advisories: Subscription = nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.*.${stream}`, {
    callback: () => {
      woken = true;
      wake?.();
    },
  });
  await check();
  void (async () => {
    while (!stopped) {
      if (!woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      woken = false;
      if (!stopped) await check();
    }
  })();

  return {
    check,
    async stop() {
      stopped = true;
      wake?.();
      advisories.unsubscribe();
      await running;
    },
  };
}
