import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runAction } from "../../../src/action/main.js";
import { loadConfig } from "../../../src/config.js";

export interface StepRun {
  readonly code: number;
  readonly log: string;
  readonly summary: string;
  readonly outputs: string;
}

export interface ActionStep {
  /** A folder for this step's runner files (a fresh one is made inside it). */
  readonly scratch: string;
  /** The checked-out repository (`GITHUB_WORKSPACE`) and its commit (`GITHUB_SHA`). */
  readonly workspace: string;
  readonly sha: string;
  /** The step's inputs and the job's variables: `INPUT_*`, `GITHUB_API_URL`, `GITHUB_REPOSITORY`, secrets… */
  readonly env: Readonly<Record<string, string>>;
  readonly now: Date;
}

/**
 * One workflow step running the action's real entry point in-process, with the files the runner provides
 * (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`) made empty for it, and what it wrote read back.
 */
export async function runActionStep(step: ActionStep): Promise<StepRun> {
  const dir = await mkdtemp(join(step.scratch, `${step.env["INPUT_COMMAND"] ?? "step"}-`));
  const summary = join(dir, "step-summary.md");
  const outputs = join(dir, "output");
  await writeFile(summary, "");
  await writeFile(outputs, "");
  const lines: string[] = [];
  const code = await runAction({
    config: loadConfig({
      GITHUB_SHA: step.sha,
      GITHUB_WORKSPACE: step.workspace,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      RUNNER_TEMP: dir,
      ...step.env,
    }),
    now: () => step.now,
    log: (text) => lines.push(text),
  });
  return {
    code,
    log: lines.join(""),
    summary: await readFile(summary, "utf8"),
    outputs: await readFile(outputs, "utf8"),
  };
}
