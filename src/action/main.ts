#!/usr/bin/env node
import { isEntryPoint } from "../is-entry-point.js";
import { loadConfig, type Config } from "../config.js";
import { describeError, EXIT_ERROR } from "../cli/errors.js";
import { readActionEnvironment, type ActionCommand } from "./action-environment.js";
import type { ActionRun } from "./action-run.js";
import { cliRunner } from "./run-cli-command.js";
import { runApply } from "./run-apply.js";
import { runDrift } from "./run-drift.js";
import { runExpire } from "./run-expire.js";
import { runPrPlan } from "./run-pr-plan.js";
import { escapeCommandData } from "./workflow-commands.js";

const RUNS: Record<ActionCommand, (run: ActionRun) => Promise<number>> = {
  "pr-plan": runPrPlan,
  apply: runApply,
  drift: runDrift,
  expire: runExpire,
};

/** The action's entry point (action.yml runs dist/action/main.js). Resolves to the step's exit code. */
export async function runAction(
  options: { config?: Config; cwd?: string; now?: () => Date; log?: (text: string) => void } = {},
): Promise<number> {
  const log = options.log ?? ((text: string) => void process.stdout.write(text));
  try {
    const config = options.config ?? loadConfig();
    const environment = readActionEnvironment(config.env, options.cwd ?? process.cwd());
    const now = options.now ?? (() => new Date());
    const cli = cliRunner({ config, cwd: environment.workspace, now, log });
    return await RUNS[environment.command]({ environment, config, cli, log, now });
  } catch (error) {
    log(`::error::${escapeCommandData(`scim-gitops action: ${describeError(error)}`)}\n`);
    return EXIT_ERROR;
  }
}

if (isEntryPoint(import.meta.url)) {
  void runAction().then((code) => {
    process.exitCode = code;
  });
}
