import { Secret } from "../secret.js";

/** What the action's entry point was asked to do (the `command` input of action.yml). */
export type ActionCommand = "pr-plan" | "apply" | "drift" | "expire";

/**
 * The GitHub Actions runner's view of this run, read from the environment `loadConfig` holds (STYLE: only
 * config.ts reads process.env). action.yml passes its inputs as `INPUT_*` variables.
 */
export interface ActionEnvironment {
  readonly command: ActionCommand;
  readonly policyDir: string;
  readonly token: Secret | undefined;
  /** `owner/name`. */
  readonly repository: string;
  /** REST base URL: api.github.com, or `https://HOST/api/v3` on GitHub Enterprise Server. */
  readonly apiUrl: string;
  readonly sha: string;
  /** The branch the run is on (GITHUB_REF_NAME): the base an expiry proposal targets. */
  readonly refName: string;
  /** The `expiry-warn-days` input: overrides settings `expiry.warnWithinDays` when set. */
  readonly expiryWarnDays: number | undefined;
  readonly eventPath: string | undefined;
  readonly stepSummaryPath: string | undefined;
  readonly outputPath: string | undefined;
  /** The run's page, where the full step summary is. */
  readonly runUrl: string;
  /** The directory the commands run in (the checked-out policy repository). */
  readonly workspace: string;
  /** Where the apply step keeps the plan it made from the merge commit. */
  readonly planFile: string;
}

export class ActionEnvironmentError extends Error {
  override name = "ActionEnvironmentError";
}

/** What the `command` input accepts. */
export const ACTION_COMMANDS: readonly ActionCommand[] = ["pr-plan", "apply", "drift", "expire"];

export function readActionEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ActionEnvironment {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string, hint: string): string => {
    const value = get(name);
    if (value === undefined) throw new ActionEnvironmentError(`${name} is not set: ${hint}`);
    return value;
  };
  const command = get("INPUT_COMMAND");
  if (command === undefined || !ACTION_COMMANDS.includes(command as ActionCommand)) {
    throw new ActionEnvironmentError(
      `the action's command input is ${command === undefined ? "missing" : `"${command}"`}: use one of ${ACTION_COMMANDS.join(", ")}`,
    );
  }
  const token = get("INPUT_GITHUB_TOKEN");
  const serverUrl = get("GITHUB_SERVER_URL") ?? "https://github.com";
  const repository = required("GITHUB_REPOSITORY", "run this inside GitHub Actions (owner/name)");
  const runId = get("GITHUB_RUN_ID") ?? "0";
  const workspace = get("GITHUB_WORKSPACE") ?? cwd;
  return {
    command: command as ActionCommand,
    policyDir: get("INPUT_POLICY_DIR") ?? "policies",
    token: token === undefined ? undefined : new Secret(token),
    repository,
    apiUrl: (get("GITHUB_API_URL") ?? "https://api.github.com").replace(/\/+$/, ""),
    sha: required("GITHUB_SHA", "run this inside GitHub Actions (the commit being checked)"),
    refName: get("GITHUB_REF_NAME") ?? "main",
    expiryWarnDays: warnDays(get("INPUT_EXPIRY_WARN_DAYS")),
    eventPath: get("GITHUB_EVENT_PATH"),
    stepSummaryPath: get("GITHUB_STEP_SUMMARY"),
    outputPath: get("GITHUB_OUTPUT"),
    runUrl: `${serverUrl.replace(/\/+$/, "")}/${repository}/actions/runs/${runId}`,
    workspace,
    planFile: get("INPUT_PLAN_FILE") ?? `${get("RUNNER_TEMP") ?? workspace}/scim-gitops-plan.json`,
  };
}

function warnDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new ActionEnvironmentError(
      `the action's expiry-warn-days input is "${value}": give a whole number of days, e.g. 14, or leave it out to use settings expiry.warnWithinDays`,
    );
  }
  return Number(value);
}
