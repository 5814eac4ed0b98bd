import type { Config } from "../config.js";
import type { ActionEnvironment } from "./action-environment.js";
import { GitHubIssues } from "./github-issues.js";
import type { CliRunner } from "./run-cli-command.js";

/** What each of the action's commands works with. */
export interface ActionRun {
  readonly environment: ActionEnvironment;
  readonly config: Config;
  readonly cli: CliRunner;
  /** The job log (stdout): workflow commands such as annotations go here. */
  readonly log: (text: string) => void;
  readonly now: () => Date;
}

/** The REST client, or undefined with a note in the log when the action was given no token. */
export function issuesClient(run: ActionRun, purpose: string): GitHubIssues | undefined {
  const { token, apiUrl, repository } = run.environment;
  if (token === undefined) {
    run.log(`::warning::no github-token was given, so the action cannot ${purpose}\n`);
    return undefined;
  }
  return new GitHubIssues({ apiUrl, token, repository });
}
