/**
 * `serve --apply-on-merge` (DESIGN §8): after main moves (an emergency merge, a person merging the sync
 * branch), apply main's policy to the configured targets, as the apply Action would in GitHub mode. Runs one
 * at a time; moves during a run collapse into one more run on the newest head. The apply command itself does
 * the work (guards, revocations first, evidence), on main's policy written to a temporary directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { applyCommand } from "../cli/commands/apply.js";
import type { Config } from "../config.js";
import type { PolicyRepo } from "../repos/policy-repo.js";
import type { Logger } from "./logger.js";

export interface ApplyOnMergeOptions {
  readonly repo: PolicyRepo;
  readonly policyDir: string;
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface ApplyOnMergeState {
  readonly runs: number;
  readonly failures: number;
  readonly lastHead?: string;
  readonly lastExitCode?: number;
}

export interface ApplyOnMerge {
  /** Main is at `head` now: apply it (after the run in progress, if any). */
  mainMoved(head: string): void;
  state(): ApplyOnMergeState;
  /** Waits for the run in progress and the one queued behind it. */
  close(): Promise<void>;
}

export function startApplyOnMerge(options: ApplyOnMergeOptions): ApplyOnMerge {
  let wanted: string | undefined;
  let running: Promise<void> | undefined;
  let runs = 0;
  let failures = 0;
  let lastHead: string | undefined;
  let lastExitCode: number | undefined;

  const runOnce = async (head: string) => {
    const code = await applyHead(head, options).catch((error: unknown) => {
      options.log.error(`apply-on-merge: apply of main ${head} failed to run`, { error });
      return 1;
    });
    runs++;
    if (code !== 0) failures++;
    lastHead = head;
    lastExitCode = code;
    const outcome = code === 0 ? "applied" : "did not apply cleanly (see the lines above)";
    options.log[code === 0 ? "info" : "error"](`apply-on-merge: main ${head.slice(0, 12)} ${outcome}`);
  };
  const kick = () => {
    running ??= (async () => {
      while (wanted !== undefined) {
        const head = wanted;
        wanted = undefined;
        await runOnce(head);
      }
    })().finally(() => {
      running = undefined;
      if (wanted !== undefined) kick();
    });
  };
  return {
    mainMoved(head) {
      wanted = head;
      kick();
    },
    state: () => ({
      runs,
      failures,
      ...(lastHead === undefined ? {} : { lastHead }),
      ...(lastExitCode === undefined ? {} : { lastExitCode }),
    }),
    async close() {
      while (running !== undefined) await running;
    },
  };
}

async function applyHead(head: string, options: ApplyOnMergeOptions): Promise<number> {
  const files = await options.repo.readFiles(head, options.policyDir);
  const scratch = await mkdtemp(join(tmpdir(), "scim-gitops-apply-"));
  try {
    const policies = join(scratch, "policies");
    for (const [path, text] of files) {
      await mkdir(dirname(join(policies, path)), { recursive: true });
      await writeFile(join(policies, path), text);
    }
    const output = logLines((line) => options.log.info(`apply-on-merge: ${line}`));
    try {
      return await applyCommand.run(
        {
          values: { policies, format: "text", "allow-mass-revocation": false, "dry-run": false },
          positionals: [],
        },
        {
          argv: ["apply", "--policies", policies],
          config: options.config,
          stdout: output,
          stderr: output,
          cwd: scratch,
          now: options.now ?? (() => new Date()),
        },
      );
    } finally {
      output.end();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A stream that hands each complete line to `emit` (apply prints a plan and a summary). */
function logLines(emit: (line: string) => void): Writable {
  let partial = "";
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") emit(line);
      done();
    },
    final(done) {
      if (partial.trim() !== "") emit(partial);
      done();
    },
  });
}
