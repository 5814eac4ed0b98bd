import type { LedgerChange } from "../ledger/ledger.js";
import { retryAfterOf } from "../repos/policy-repo.js";
import type { ProposerActions } from "./proposer-actions.js";
import type { Action, CoreState, ProposerConfig } from "./proposer-core.js";
import * as core from "./proposer-core.js";
import * as events from "./proposer-events.js";
import type { ProposerLogger, ProposerState } from "./proposer-state.js";
import { ProposerStats } from "./proposer-state.js";

export interface WorkerOptions {
  readonly actions: ProposerActions;
  readonly config: ProposerConfig;
  /** Milliseconds on a clock that only moves forward, for the core's timing. */
  readonly clock: () => number;
  /** Wall-clock time for what people read (`lastFlushAt`). */
  readonly now: () => Date;
  readonly log: ProposerLogger;
  readonly mainMoved: (head: string) => void;
}

/**
 * Performs the core's decisions one at a time, so emergencies never race the sync branch inside this
 * process (the repository's compare-and-swap covers everyone else), and owns the one timer that wakes it
 * when the core says something falls due.
 */
export class ProposerWorker {
  readonly #options: WorkerOptions;
  readonly #stats = new ProposerStats();
  #state: CoreState;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The state the loop last decided to wait on; a change since then needs a fresh decision. */
  #waitedOn: CoreState | undefined;
  #waiters: (() => void)[] = [];
  #lastFlushError: Error | undefined;
  #stopped = false;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#state = core.initialState(options.clock(), options.config);
  }

  get lastFlushError(): Error | undefined {
    return this.#lastFlushError;
  }

  get core(): CoreState {
    return this.#state;
  }

  changeArrived(change: LedgerChange): void {
    this.#update((state, now) => events.changeArrived(state, change, now));
  }

  /** A push webhook: look at main now; cheap, and repeated calls coalesce into one look. */
  mainMayHaveMoved(): void {
    const next = events.mainMayHaveMoved(this.#state, this.#options.clock());
    if (next !== this.#state) this.#update(() => next);
  }

  /** `flush()`: a sync now, unless the one in flight already took every pending change. */
  requestFlush(): void {
    const state = this.#state;
    if (state.pending.length > 0 || state.inFlight?.kind !== "sync") this.#update(events.flushRequested);
  }

  /** Resolves once nothing is in hand and nothing is due now (backoffs and debounces may still wait). */
  settled(): Promise<void> {
    if (this.#running === undefined && this.#isSettled()) return Promise.resolve();
    const settled = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#kick();
    return settled;
  }

  /** Stops the timer; what is still queued waits for the next start (recovery and the sync branch). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const waiting = this.#state.emergencies.length;
    if (waiting > 0) {
      this.#options.log.warn(
        `${waiting} emergency case(s) still queued at shutdown: the sync branch carries them for review, ` +
          `and deactivations are revoked again at the next start`,
      );
    }
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  state(): ProposerState {
    const state = this.#state;
    const queue = core.emergencyQueueStats(state, this.#options.clock());
    // A flush still waiting on the repository (GitHub down, the App's client retrying) has not committed
    // its changes: they stay pending until it lands, as an emergency being worked on stays queued.
    const flushing = state.inFlight?.kind === "sync" ? state.inFlight.operations.length : 0;
    return this.#stats.snapshot(state.pending.length + flushing + queue.queued, queue, state.mainHead);
  }

  #isSettled(): boolean {
    return this.#stopped || core.isSettled(this.#state, this.#options.clock(), this.#options.config);
  }

  /** A transition from outside the loop (a ledger change, `flush()`): the loop may be idle, so wake it. */
  #update(transition: (state: CoreState, now: number) => CoreState): void {
    this.#set(transition);
    this.#kick();
  }

  #kick(): void {
    if (this.#running !== undefined || this.#stopped) return;
    // One turn of the event loop first, so changes acknowledged together (one fsync) are picked up together.
    this.#running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#loop())
      .catch((error: unknown) => this.#options.log.error(`proposer worker stopped: ${String(error)}`))
      .finally(() => {
        this.#running = undefined;
        // A change or a waiter that arrived after the loop's last look would otherwise wait for the next event.
        if (this.#waiters.length > 0 || this.#state !== this.#waitedOn) this.#kick();
      });
  }

  async #loop(): Promise<void> {
    const { config, clock } = this.#options;
    while (!this.#stopped) {
      const now = clock();
      const decision = core.decide(this.#state, now, config);
      if (this.#isSettled()) for (const resolve of this.#waiters.splice(0)) resolve();
      if (decision.kind === "wait") {
        this.#waitedOn = this.#state;
        clearTimeout(this.#timer);
        this.#timer =
          decision.wakeAt === undefined
            ? undefined
            : setTimeout(() => this.#kick(), Math.max(0, decision.wakeAt - now)).unref();
        return;
      }
      this.#state = core.begin(this.#state, decision, now, config);
      await this.#perform(decision);
    }
  }

  async #perform(action: Action): Promise<void> {
    const { actions, config, log } = this.#options;
    switch (action.kind) {
      case "recover":
        try {
          const recovery = await actions.recover();
          const { kept = 0, interrupted = 0, discarded = 0 } = recovery;
          if (kept + interrupted + discarded > 0) {
            log.warn(
              `emergency proposals open from before the start: ${kept} kept (auto-merge or a review ` +
                `finishes them), ${interrupted} interrupted (finished unless main moved), ${discarded} half-made ` +
                "closed and proposed afresh",
            );
          }
          if (recovery.found.length > 0) {
            log.warn(
              `${recovery.found.length} deactivation(s) reached no emergency before a restart: revoking now`,
            );
          }
          this.#set((state, now) => events.recovered(state, recovery, now));
        } catch (error) {
          log.error(`cannot look for deactivations missed before a restart (trying again): ${String(error)}`);
          this.#set((state, now) => events.recoveryFailed(state, now, config, retryAfterOf(error)));
        }
        return;
      case "read-settings":
        try {
          const triggers = await actions.readTriggers(action.head);
          this.#set((state) => events.settingsRead(state, action.head, triggers));
        } catch (error) {
          log.warn(`cannot read main's settings, keeping the previous emergency triggers: ${String(error)}`);
          this.#set((state, now) => events.settingsFailed(state, now, config, retryAfterOf(error)));
        }
        return;
      case "sync":
        return this.#sync(action.operations);
      case "emergency":
        return this.#emergency(action.batch);
      case "check-main":
        try {
          const head = await actions.readMainHead();
          this.#set((state) => events.mainChecked(state, head));
        } catch (error) {
          log.warn(`cannot read the base branch: ${String(error)}`);
          this.#set((state, now) => events.mainCheckFailed(state, now, retryAfterOf(error)));
        }
        return;
    }
  }

  async #sync(operations: Extract<Action, { kind: "sync" }>["operations"]): Promise<void> {
    const { actions, config, log, now } = this.#options;
    const started = performance.now();
    let result: Awaited<ReturnType<ProposerActions["commitSync"]>>;
    try {
      result = await actions.commitSync(operations);
      this.#lastFlushError = undefined;
      this.#stats.flushed(result, now(), performance.now() - started);
    } catch (error) {
      this.#lastFlushError = error instanceof Error ? error : new Error(String(error));
      this.#stats.flushFailed(error);
      this.#set((state, at) => events.syncFailed(state, at, config, retryAfterOf(error)));
      log.error(
        `sync flush failed (retrying in ${this.#retryIn(this.#state.syncRetryAt)} ms): ${String(error)}`,
      );
      return;
    }
    try {
      await actions.afterSync(result);
      this.#set((state) => events.syncSucceeded(state, result.base));
    } catch (error) {
      const base = result.base;
      this.#set((state, at) => events.afterSyncFailed(state, base, at, config, retryAfterOf(error)));
      log.warn(
        `after the sync flush: ${String(error)}; the next flush tries again ` +
          `(in ${this.#retryIn(this.#state.syncRetryAt)} ms)`,
      );
    }
  }

  #retryIn(at: number | undefined): number {
    return Math.max(0, Math.round((at ?? 0) - this.#options.clock()));
  }

  async #emergency(batch: Extract<Action, { kind: "emergency" }>["batch"]): Promise<void> {
    const { actions, config, log, now } = this.#options;
    const started = performance.now();
    const what =
      batch.length === 1 && batch[0] !== undefined
        ? `${batch[0].emergency.trigger} of ${batch[0].emergency.kind} ${batch[0].emergency.id}`
        : `batch of ${batch.length} cases`;
    try {
      const outcome = await actions.proposeEmergencies(batch.map((entry) => entry.emergency));
      this.#stats.emergency(outcome, now(), performance.now() - started);
      const where = outcome.branch === undefined ? "" : ` (${outcome.branch})`;
      const line = `emergency ${what}: ${outcome.status}${where}: ${outcome.reason}`;
      if (outcome.status === "refused" || outcome.status === "held") log.warn(line);
      else log.info(line);
      this.#set((state, at) =>
        events.emergencyFinished(
          state,
          outcome.status === "refused"
            ? { kind: "refused" }
            : outcome.mergeCommit === undefined
              ? { kind: "finished" }
              : { kind: "finished", mergeCommit: outcome.mergeCommit },
          at,
        ),
      );
    } catch (error) {
      this.#stats.emergencyFailed(error, now());
      this.#set((state, at) => events.emergencyFailed(state, at, config, retryAfterOf(error)));
      const next = this.#state.emergencies.find((entry) =>
        batch.some((taken) => taken.emergency === entry.emergency),
      );
      const retryIn = next === undefined ? 0 : Math.round(next.readyAt - this.#options.clock());
      log.error(
        `emergency ${what} failed (retrying in ${Math.max(0, retryIn)} ms): ${String(error)}; ` +
          `the sync branch still carries the revocation for review`,
      );
    }
  }

  /** A transition from inside the loop: the loop itself decides next, so no kick. */
  #set(transition: (state: CoreState, now: number) => CoreState): void {
    const before = this.#state.mainHead;
    this.#state = transition(this.#state, this.#options.clock());
    const after = this.#state.mainHead;
    if (before !== undefined && after !== undefined && before !== after) this.#announceMain(after);
  }

  #announceMain(head: string): void {
    this.#stats.mainMoved();
    try {
      this.#options.mainMoved(head);
    } catch (error) {
      this.#options.log.error(`a main-moved listener failed: ${String(error)}`);
    }
  }
}
