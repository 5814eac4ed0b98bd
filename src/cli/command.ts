import type { ParseArgsConfig } from "node:util";
import type { Config } from "../config.js";
import type { AnyTarget } from "../targets/target.js";
import { UsageError } from "./errors.js";

export type OutputFormat = "text" | "markdown" | "json";

export interface CommandContext {
  readonly argv: readonly string[];
  readonly config: Config;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  /** The clock, passed in so commands stay testable. */
  readonly now: () => Date;
  /** The targets commands know, in their order; default the registry's `TARGETS`. */
  readonly targets?: readonly AnyTarget[];
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage line, options, environment, exit codes. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly allowPositionals?: boolean;
  /** Resolves to the exit code. Throw UsageError for a bad call; anything else is an error (exit 1). */
  run(
    args: { values: Record<string, unknown>; positionals: string[] },
    context: CommandContext,
  ): Promise<number>;
}

/** The `--format` option every printing command shares (DESIGN §6). */
export const formatOption = { format: { type: "string", default: "text" } } as const;

export function parseFormat(value: unknown): OutputFormat {
  if (value === "text" || value === "markdown" || value === "json") return value;
  throw new UsageError(`--format ${String(value)} is not known: use text, markdown or json`);
}
