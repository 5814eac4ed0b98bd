import type { KV, KvEntry } from "nats";
import { decodeEntry, principalForKey, type NatsEntry } from "../entry.js";

export interface TableChange {
  readonly principal: string;
  readonly before: NatsEntry | undefined;
  readonly after: NatsEntry | undefined;
  /** The server's time of the change. */
  readonly at: Date;
}

/**
 * The bucket in memory, fed by `kv.watch()`. Each key's last applied revision decides whether a watch
 * entry is news (kv's own "is update" flag misreports the last initial value, reference/nats.md).
 */
export class PermissionTable {
  readonly #entries = new Map<string, NatsEntry>();
  readonly #revisions = new Map<string, number>();
  readonly #modified = new Map<string, Date>();
  readonly #onChange: (change: TableChange) => void;
  readonly #onError: (message: string) => void;
  #stop: (() => void) | undefined;

  constructor(onChange: (change: TableChange) => void, onError: (message: string) => void) {
    this.#onChange = onChange;
    this.#onError = onError;
  }

  get(principal: string): NatsEntry | undefined {
    return this.#entries.get(principal);
  }

  /** The entry and when it last changed, for reconciliation. */
  lookup(principal: string): { entry: NatsEntry; modified: Date } | undefined {
    const entry = this.#entries.get(principal);
    const modified = this.#modified.get(principal);
    return entry === undefined || modified === undefined ? undefined : { entry, modified };
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Resolves once every current value is loaded; changes keep arriving afterwards. */
  async start(kv: KV): Promise<void> {
    let ready!: () => void;
    const initialised = new Promise<void>((resolve) => (ready = resolve));
    let loading = true;
    const watch = await kv.watch({
      initializedFn: () => {
        loading = false;
        ready();
      },
    });
    this.#stop = () => watch.stop();
    void (async () => {
      try {
        for await (const item of watch) this.#take(item, !loading);
      } catch (error) {
        // The bucket's stream went away under the watch; the service notices that and loads a new table.
        this.#onError(`the watch stopped: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    await initialised;
  }

  stop(): void {
    this.#stop?.();
  }

  #take(item: KvEntry, notify: boolean): void {
    if (item.revision <= (this.#revisions.get(item.key) ?? 0)) return;
    this.#revisions.set(item.key, item.revision);
    const principal = principalForKey(item.key);
    const before = this.#entries.get(principal);
    let after: NatsEntry | undefined;
    if (item.operation === "PUT") {
      try {
        after = decodeEntry(item.key, item.value);
      } catch (error) {
        // An unreadable entry grants nothing: the person is refused until it is fixed.
        this.#onError(error instanceof Error ? error.message : String(error));
      }
    }
    this.#modified.set(principal, item.created);
    if (after === undefined) this.#entries.delete(principal);
    else this.#entries.set(principal, after);
    if (notify) this.#onChange({ principal, before, after, at: item.created });
  }
}
