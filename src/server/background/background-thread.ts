import { Worker } from "node:worker_threads";
import type { IdentityLedger } from "../../ledger/ledger.js";
import type { Config } from "../../config.js";
import type { Proposer, ProposerOptions, ProposerState } from "../../proposals/proposer.js";
import { ProposerStats } from "../../proposals/proposer-state.js";
import type { ApplyOnMergeState } from "../apply-on-merge.js";
import type { Logger } from "../logger.js";
import type { FromThread, ProposerThreadData, ThreadSettings, ToThread } from "./thread-messages.js";

export interface BackgroundThreadOptions {
  readonly ledger: IdentityLedger;
  /** The policy repository on disk; it must exist (the service opened or created it). */
  readonly repoPath: string;
  readonly policyDir: string;
  readonly settings?: ThreadSettings;
  /** `serve --apply-on-merge`: the configuration the thread applies main with. */
  readonly applyOnMerge?: { readonly config: Config };
  readonly log: Logger;
}

export interface BackgroundThread {
  readonly proposer: Proposer;
  /** What the thread's apply-on-merge last reported; undefined without `applyOnMerge`. */
  applyState(): ApplyOnMergeState | undefined;
}

/** The settings of `options` a thread can take: its numbers (functions such as `now` stay behind). */
export function threadSettingsOf(options: Partial<ProposerOptions> | undefined): ThreadSettings {
  const settings: Record<string, number | readonly number[]> = {};
  for (const key of SETTING_KEYS) {
    const value = options?.[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

const SETTING_KEYS = [
  "debounceMs",
  "maxWaitMs",
  "maxBatch",
  "maxEmergencyBatch",
  "watchMainMs",
  "retryDelaysMs",
] as const satisfies readonly (keyof ThreadSettings)[];

const ENTRY = new URL("./background-thread-entry.js", import.meta.url);

/**
 * Embedded mode's proposer, and with `applyOnMerge` the apply of each new main, on a worker thread of their
 * own (background-thread-entry.ts), the proposer behind the same `Proposer` face. The SCIM thread only forwards each durable ledger change (a structured clone of the
 * resource) and reads the state the thread last reported; a flush of 10k identities or an emergency
 * proof compiling the whole policy runs beside the IdP's requests instead of in front of them.
 */
export function startBackgroundThread(options: BackgroundThreadOptions): BackgroundThread {
  const { ledger, log } = options;
  const listeners = new Set<(head: string) => void>();
  const replies = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let reported: { state: ProposerState; at: number; received: number; apply?: ApplyOnMergeState } | undefined;
  let sent = 0;
  let stopped: Error | undefined;

  // The seed and the subscription are taken in one synchronous step, so no change falls between them.
  const data: ProposerThreadData = {
    repoPath: options.repoPath,
    policyDir: options.policyDir,
    settings: options.settings ?? {},
    ...(options.applyOnMerge === undefined
      ? {}
      : { applyOnMerge: { env: { ...options.applyOnMerge.config.env } } }),
    seed: { users: ledger.list("User"), groups: ledger.list("Group"), lastSeq: ledger.lastSeq },
  };
  const worker = new Worker(ENTRY, { workerData: data });
  const unsubscribe = ledger.subscribe(({ seq, type, id, operation, after, at }) => {
    send({ kind: "change", change: { seq, type, id, operation, after, at } });
    sent++;
  });

  function send(message: ToThread): void {
    if (stopped === undefined) worker.postMessage(message);
  }

  function ask(message: (id: number) => ToThread): Promise<void> {
    if (stopped !== undefined) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      replies.set(id, { resolve, reject });
      send(message(id));
    });
  }

  worker.on("message", (message: FromThread) => {
    switch (message.kind) {
      case "state":
        reported = {
          state: message.state,
          at: message.at,
          received: message.received,
          ...(message.apply === undefined ? {} : { apply: message.apply }),
        };
        return;
      case "log":
        log[message.level](message.line, message.fields);
        return;
      case "main-moved":
        for (const listener of listeners) listener(message.head);
        return;
      case "done": {
        const reply = replies.get(message.id);
        replies.delete(message.id);
        if (message.error === undefined) reply?.resolve();
        else reply?.reject(new Error(message.error));
        return;
      }
    }
  });
  const fail = (error: Error) => {
    if (stopped !== undefined) return;
    stopped = error;
    log.error(`the proposer thread stopped: ${error.message}; restart serve to propose again`);
    for (const reply of replies.values()) reply.reject(error);
    replies.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the proposer thread exited with ${code}`)));

  const proposer: Proposer = {
    flush: () => ask((id) => ({ kind: "flush", id })),
    state() {
      const state = reported?.state ?? STARTING;
      // Changes on their way to the thread are pending too: a report taken before they arrived must not
      // read as "everything flushed".
      const inFlight = sent - (reported?.received ?? 0);
      const shown: ProposerState = {
        ...state,
        pendingChanges: state.pendingChanges + inFlight,
        ...(stopped === undefined ? {} : { lastError: `the proposer thread stopped: ${stopped.message}` }),
      };
      // The age of the oldest waiting case kept counting since the thread reported it.
      if (reported === undefined || shown.emergencies.queued === 0) return shown;
      const since = Date.now() - reported.at;
      return {
        ...shown,
        emergencies: { ...shown.emergencies, oldestQueuedMs: shown.emergencies.oldestQueuedMs + since },
      };
    },
    mainMayHaveMoved: () => send({ kind: "main-may-have-moved" }),
    onMainMoved(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      unsubscribe();
      try {
        await ask((id) => ({ kind: "close", id }));
      } catch {
        // The thread is gone already: there is nothing left to finish.
      }
      stopped ??= new Error("the proposer is closed");
      await worker.terminate();
    },
  };
  return { proposer, applyState: () => reported?.apply };
}

/** What the service shows before the thread's first report (it starts in milliseconds): nothing done yet. */
const STARTING: ProposerState = new ProposerStats().snapshot(
  0,
  { queued: 0, retrying: 0, oldestQueuedMs: 0 },
  undefined,
);
