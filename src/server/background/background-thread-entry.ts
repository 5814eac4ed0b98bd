/**
 * Serve's background thread (worker_threads) in embedded mode: the whole proposer — rendering identities,
 * the revocation proof's compiles, git — and, with `--apply-on-merge`, the apply of each new main, away
 * from the thread that answers SCIM, so a flush, an emergency or an apply never holds an IdP's request
 * (issue 11). The apply also reuses the proof's compile of the revision it applies. Started by
 * `startBackgroundThread`; talks only in messages.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../../config.js";
import { startProposer } from "../../proposals/proposer.js";
import { runGitThroughLauncher } from "../../repos/git/git.js";
import { openGitPolicyRepo } from "../../repos/git/open-git-policy-repo.js";
import { startApplyOnMerge } from "../apply-on-merge.js";
import type { Logger } from "../logger.js";
import { MirrorLedger } from "./mirror-ledger.js";
import type { FromThread, ProposerThreadData, ToThread } from "./thread-messages.js";

/** How often the thread tells the service its state when it changed (what /healthz and /metrics show). */
const STATE_EVERY_MS = 100;
/**
 * This thread's nice value. On Linux a thread is scheduled on its own, and `setPriority(0, …)` from here
 * changes only this one: when the cores are busy (an import at 1,000 requests/s and emergencies proving
 * one after another) the IdP's requests go first and the proposer takes the time left over; on an idle
 * machine it changes nothing. Raising one's own nice value needs no privilege.
 */
const PROPOSER_NICE = 10;

try {
  setPriority(0, PROPOSER_NICE);
} catch {
  // Not every platform schedules threads on their own; the proposer then runs at the service's priority.
}

// Serve's heap holds the directory and the policy: a git spawned from it would fork all of it.
runGitThroughLauncher();

const port = parentPort;
if (port === null) throw new Error("background-thread-entry runs only as a worker thread");
const data = workerData as ProposerThreadData;
const post = (message: FromThread) => port.postMessage(message);

const ledger = new MirrorLedger(data.seed);
const repo = await openGitPolicyRepo(data.repoPath, { policyDir: data.policyDir });
/** Lines for the service's logger, which redacts and writes them. */
const log: Logger = {
  info: (line, fields) =>
    post({ kind: "log", level: "info", line, ...(fields === undefined ? {} : { fields }) }),
  warn: (line, fields) =>
    post({ kind: "log", level: "warn", line, ...(fields === undefined ? {} : { fields }) }),
  error: (line, fields) =>
    post({ kind: "log", level: "error", line, ...(fields === undefined ? {} : { fields }) }),
};
const proposer = startProposer({ ledger, repo, policyDir: data.policyDir, ...data.settings, log });
const applier =
  data.applyOnMerge === undefined
    ? undefined
    : startApplyOnMerge({ repo, policyDir: data.policyDir, config: loadConfig(data.applyOnMerge.env), log });
proposer.onMainMoved((head) => {
  applier?.mainMoved(head);
  post({ kind: "main-moved", head });
});
if (applier !== undefined) {
  // A merge made while serve was down (or an apply cut short by a crash) is applied now.
  const head = await repo.head(repo.baseBranch);
  if (head !== undefined) applier.mainMoved(head);
}

let received = 0;
let shown = "";
const showState = () => {
  const state = proposer.state();
  const apply = applier?.state();
  const text = `${received} ${JSON.stringify(state)} ${JSON.stringify(apply)}`;
  if (text === shown) return;
  shown = text;
  post({ kind: "state", state, at: Date.now(), received, ...(apply === undefined ? {} : { apply }) });
};
const timer = setInterval(showState, STATE_EVERY_MS);

const settle = (id: number, work: Promise<void>) =>
  work.then(
    () => {
      showState();
      post({ kind: "done", id });
    },
    (error: unknown) => {
      showState();
      post({ kind: "done", id, error: error instanceof Error ? error.message : String(error) });
    },
  );

port.on("message", (message: ToThread) => {
  switch (message.kind) {
    case "change":
      ledger.receive(message.change);
      received++;
      return;
    case "flush":
      void settle(message.id, proposer.flush());
      return;
    case "main-may-have-moved":
      proposer.mainMayHaveMoved();
      return;
    case "close":
      clearInterval(timer);
      void settle(
        message.id,
        proposer.close().then(() => applier?.close()),
      ).then(() => port.close());
      return;
  }
});
showState();
