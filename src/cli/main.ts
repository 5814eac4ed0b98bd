#!/usr/bin/env node
import { parseArgs } from "node:util";
import { isEntryPoint } from "../is-entry-point.js";
import { loadConfig } from "../config.js";
import { COMMANDS } from "./commands.js";
import type { CommandContext } from "./command.js";
import { EXIT_ERROR, EXIT_OK, UsageError, describeError, ReportedFailure } from "./errors.js";

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length), 4);
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    "scim-gitops: SCIM identities to git-reviewed Pulsar and NATS access",
    "",
    "Usage: scim-gitops <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `scim-gitops <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 error, 2 changes pending (plan --detailed-exitcode).",
    "",
  ].join("\n");
}

export async function main(argv: readonly string[], partial: Partial<CommandContext> = {}): Promise<number> {
  const stdout = partial.stdout ?? process.stdout;
  const stderr = partial.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout.write(overview());
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    stderr.write(`scim-gitops: unknown command "${name}"\n\n${overview()}`);
    return EXIT_ERROR;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    stdout.write(command.help.endsWith("\n") ? command.help : `${command.help}\n`);
    return EXIT_OK;
  }
  try {
    const parsed = (() => {
      try {
        return parseArgs({
          args: [...rest],
          options: command.options,
          allowPositionals: command.allowPositionals ?? false,
          strict: true,
        });
      } catch (error) {
        throw new UsageError(`${describeError(error)}\nRun \`scim-gitops ${name} --help\` for its options.`);
      }
    })();
    const context: CommandContext = {
      argv,
      config: partial.config ?? loadConfig(),
      stdout,
      stderr,
      cwd: partial.cwd ?? process.cwd(),
      now: partial.now ?? (() => new Date()),
      ...(partial.targets === undefined ? {} : { targets: partial.targets }),
    };
    return await command.run(parsed, context);
  } catch (error) {
    if (!(error instanceof ReportedFailure)) stderr.write(`scim-gitops ${name}: ${describeError(error)}\n`);
    return EXIT_ERROR;
  }
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`scim-gitops: ${describeError(error)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
