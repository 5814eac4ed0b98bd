import type { Command } from "./command.js";
import { applyCommand } from "./commands/apply.js";
import { planCommand } from "./commands/plan.js";

/** Every subcommand, in the order `--help` lists them. Each lives in its own file under `commands/`. */
export const COMMANDS: readonly Command[] = [planCommand, applyCommand];
