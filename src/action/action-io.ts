import { appendFile, readFile } from "node:fs/promises";
import type { ActionEnvironment } from "./action-environment.js";

export class ActionIoError extends Error {
  override name = "ActionIoError";
}

/** Appends Markdown to the step summary (the run page); outside Actions there is none, and that is fine. */
export async function appendStepSummary(environment: ActionEnvironment, markdown: string): Promise<void> {
  if (environment.stepSummaryPath === undefined) return;
  await appendFile(environment.stepSummaryPath, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
}

/** Sets a step output (`steps.ID.outputs.NAME`); values here are single-line. */
export async function setOutput(environment: ActionEnvironment, name: string, value: string): Promise<void> {
  if (environment.outputPath === undefined) return;
  await appendFile(environment.outputPath, `${name}=${value.replaceAll("\n", " ")}\n`);
}

interface PullRequestEvent {
  readonly pull_request?: { number?: number; base?: { sha?: string }; head?: { sha?: string } };
}

/** The pull request the run is for, from the event payload the runner wrote (GITHUB_EVENT_PATH). */
export async function readPullRequest(
  environment: ActionEnvironment,
): Promise<{ number: number; baseSha: string; headSha: string }> {
  if (environment.eventPath === undefined) {
    throw new ActionIoError("GITHUB_EVENT_PATH is not set: pr-plan runs in a pull_request workflow");
  }
  let event: PullRequestEvent;
  try {
    event = JSON.parse(await readFile(environment.eventPath, "utf8")) as PullRequestEvent;
  } catch (error) {
    throw new ActionIoError(`cannot read the event payload ${environment.eventPath}`, { cause: error });
  }
  const pr = event.pull_request;
  if (pr?.number === undefined || pr.base?.sha === undefined || pr.head?.sha === undefined) {
    throw new ActionIoError(
      "the event has no pull_request with number, base.sha and head.sha: run pr-plan on `pull_request` events (never `pull_request_target`)",
    );
  }
  return { number: pr.number, baseSha: pr.base.sha, headSha: pr.head.sha };
}
