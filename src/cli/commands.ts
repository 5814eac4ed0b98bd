import type { Command } from "./command.js";
import { applyCommand } from "./commands/apply.js";
import { diffCommand } from "./commands/diff.js";
import { expireCommand } from "./commands/expire.js";
import { explainCommand } from "./commands/explain.js";
import { initCommand } from "./commands/init.js";
import { natsAuthCommand } from "./commands/nats-auth.js";
import { planCommand } from "./commands/plan.js";
import { serveCommand } from "./commands/serve.js";
import { validateCommand } from "./commands/validate.js";

/** Every subcommand, in the order `--help` lists them. Each lives in its own file under `commands/`. */
export const COMMANDS: readonly Command[] = [
  validateCommand,
  explainCommand,
  diffCommand,
  planCommand,
  applyCommand,
  expireCommand,
  serveCommand,
  natsAuthCommand,
  initCommand,
];
