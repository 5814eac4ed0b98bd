/**
 * The App killed with SIGKILL in the middle of GitHub work, then started again on the same data directory
 * (the proposer in a child process, `proposer-process.ts`; the fake GitHub in this one, so it outlives the
 * kill). Whatever the kill interrupted, the end state is consistent: exactly one open sync PR, every change
 * the killed process acknowledged on the sync branch or main, no emergency PR twice.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JournalLedger } from "../../../../src/ledger/journal-ledger-contract.js";
import { openLedger } from "../../../../src/ledger/journal-ledger.js";
import { REVOCATION_GUARD_CHECK } from "../../../../src/proposals/github/pull-request-checks.js";
import { ALICE_ID } from "../../policy-fixture.js";
import type { GitHubProposals as World } from "../github-proposals-fixture.js";
import { openGitHubProposals } from "../github-proposals-fixture.js";
import { emergencyPulls, expectConsistent } from "./faults-fixture.js";

const SCRIPT = join(import.meta.dirname, "proposer-process.ts");
const ALICE_FILE = "policies/identities/users/alice-example-com.yaml";

let world: World;
let ledger: JournalLedger | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await killed(child);
  await ledger?.close();
  ledger = undefined;
  await world.close();
});

interface Run {
  readonly child: ChildProcess;
  /** Ids the process acknowledged (durable in its ledger), in order. */
  readonly acknowledged: string[];
  readonly stderr: string[];
  /** Resolves when the process prints `line`. */
  printed(line: string): Promise<void>;
}

function runApp(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FAKE_URL: world.fake.url, DATA_DIR: world.dataDir, ...env },
  });
  children.push(child);
  const acknowledged: string[] = [];
  const stderr: string[] = [];
  const seen = new Set<string>();
  const waiting = new Map<string, () => void>();
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("ack ")) acknowledged.push(line.slice(4));
      seen.add(line);
      waiting.get(line)?.();
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  return {
    child,
    acknowledged,
    stderr,
    printed: (line) =>
      seen.has(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiting.set(line, resolve);
            child.once("exit", (code, signal) =>
              reject(
                new Error(
                  `the App exited (${code ?? signal}) before "${line}": ${stderr.join("").slice(-2_000)}`,
                ),
              ),
            );
          }),
  };
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/**
 * Kills `run` with SIGKILL the first time a request matching `when` reaches GitHub, before GitHub acts. By
 * default GitHub then carries the request out, as it does for a client that died waiting for the answer;
 * "never reached GitHub" drops it instead, as if the App died just before sending it.
 */
function killOn(
  run: Run,
  when: (method: string, path: string) => boolean,
  request: "carried out" | "never reached GitHub" = "carried out",
): Promise<void> {
  return new Promise((resolve) => {
    world.fake.faults.beforeRequest = async (method, path) => {
      if (!when(method, path)) return;
      world.fake.faults.beforeRequest = undefined;
      await killed(run.child);
      resolve();
      if (request === "never reached GitHub") throw new Error("the App died before sending it");
    };
  });
}

async function openWorld(): Promise<void> {
  world = await openGitHubProposals({ merge: "direct" });
  world.fake.state.rules.set("main", { requiredChecks: [REVOCATION_GUARD_CHECK] });
  // The App's process owns the data directory from here on.
  await world.ledger.close();
}

/** The App started again on the same data directory until it has nothing left to do; then its ledger. */
async function restartUntilSettled(): Promise<JournalLedger> {
  const again = runApp({ WRITES: "0" });
  await again.printed("flushed");
  await killed(again.child);
  ledger = await openLedger({ dir: world.dataDir });
  return ledger;
}

describe("the App killed with SIGKILL", () => {
  it(
    "in the middle of a sync flush, during an import: nothing acknowledged is lost, one sync PR",
    { timeout: 90_000 },
    async () => {
      await openWorld();
      // The process is spawned before the hook is set, and reaches GitHub only after this tick.
      const first = runApp({ WRITES: "200", DEACTIVATE_AFTER: "20", WRITE_GAP_MS: "40" });
      let commits = 0;
      const dead = killOn(
        first,
        (method, path) => method === "POST" && path.endsWith("/git/commits") && ++commits >= 3,
      );
      await dead;
      const acknowledged = [...first.acknowledged];
      // Killed mid-import: some writes were acknowledged, not all of them.
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.length).toBeLessThan(201);

      const after = await restartUntilSettled();
      const present = new Set(after.list("User").map((user) => user.id));
      expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
      await expectConsistent(world, after);
      const { merged, open } = emergencyPulls(world.fake);
      if (acknowledged.includes(ALICE_ID)) {
        expect(merged).toHaveLength(1);
        expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
      }
      expect(open).toEqual([]);
    },
  );

  it(
    "between opening an emergency PR and labelling it: the restart closes it and merges one afresh",
    { timeout: 90_000 },
    async () => {
      await openWorld();
      const first = runApp({ WRITES: "3", DEACTIVATE_AFTER: "0" });
      const dead = killOn(
        first,
        (method, path) => method === "POST" && /\/issues\/\d+\/labels$/.test(path),
        "never reached GitHub",
      );
      await dead;
      expect(first.acknowledged).toContain(ALICE_ID);
      expect(emergencyPulls(world.fake).open).toHaveLength(1);

      const after = await restartUntilSettled();
      await expectConsistent(world, after);
      expect(
        emergencyPulls(world.fake).all.map((pull) => [pull.state, pull.mergeCommit !== undefined]),
      ).toEqual([
        ["closed", false],
        ["closed", true],
      ]);
      expect(await world.repo.readFile("main", ALICE_FILE)).toContain("active: false");
    },
  );
});
