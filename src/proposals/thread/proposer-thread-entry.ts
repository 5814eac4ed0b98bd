/**
 * The proposer thread (worker_threads): the whole proposer of embedded mode — rendering identities, the
 * revocation proof's compiles, git — away from the thread that answers SCIM, so a flush or an emergency
 * never holds an IdP's request (issue 11). Started by `startProposerThread`; talks only in messages.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { openGitPolicyRepo } from "../../repos/git/open-git-policy-repo.js";
import { startProposer } from "../proposer.js";
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

const port = parentPort;
if (port === null) throw new Error("proposer-thread-entry runs only as a worker thread");
const data = workerData as ProposerThreadData;
const post = (message: FromThread) => port.postMessage(message);

const ledger = new MirrorLedger(data.seed);
const repo = await openGitPolicyRepo(data.repoPath, { policyDir: data.policyDir });
const proposer = startProposer({
  ledger,
  repo,
  policyDir: data.policyDir,
  ...data.settings,
  log: {
    info: (line) => post({ kind: "log", level: "info", line }),
    warn: (line) => post({ kind: "log", level: "warn", line }),
    error: (line) => post({ kind: "log", level: "error", line }),
  },
});
proposer.onMainMoved((head) => post({ kind: "main-moved", head }));

let received = 0;
let shown = "";
const showState = () => {
  const state = proposer.state();
  const text = `${received} ${JSON.stringify(state)}`;
  if (text === shown) return;
  shown = text;
  post({ kind: "state", state, at: Date.now(), received });
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
      void settle(message.id, proposer.close()).then(() => port.close());
      return;
  }
});
showState();
