import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import { decodePrivateKey } from "./github-private-key.js";
import { Secret } from "./secret.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type GitHubLogLevel = (typeof LOG_LEVELS)[number];

/** GitHub mode's settings (DESIGN §9): Probot's own variables, plus where the policy lives. */
export interface GitHubConfig {
  readonly appId: number;
  readonly privateKey: Secret;
  readonly webhookSecret: Secret;
  /** Where GitHub posts webhooks on this server (`WEBHOOK_PATH`, default `/api/github/webhooks`). */
  readonly webhookPath: string;
  /** The REST base: `https://api.github.com`, or `GHE_PROTOCOL://GHE_HOST/api/v3` for GitHub Enterprise Server. */
  readonly apiUrl: string;
  /** `GHE_HOST`, when set. */
  readonly enterpriseHost: string | undefined;
  /** `POLICY_REPO`, split. */
  readonly owner: string;
  readonly repo: string;
  readonly baseBranch: string;
  readonly policyDir: string;
  /** Probot's `LOG_LEVEL` for its own lines (webhooks received, GitHub requests); default `info`. */
  readonly logLevel: GitHubLogLevel;
}

/** Probot's stand-in for an unset secret: anyone who reads Probot's source could sign webhooks with it. */
const PROBOT_PLACEHOLDER_SECRET = "development";
const OWNER_AND_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;
/** What git accepts as a branch name, roughly: printable, no spaces or special characters, no `..`. */
const BRANCH = /^(?!-|\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*[/.]$)[^\s\p{Cc}~^:?*[\\]+$/u;

/** Whether GitHub mode was asked for: an App id or a private key is set. */
export function wantsGitHubMode(get: (name: string) => string | undefined): boolean {
  return (
    get("APP_ID") !== undefined || get("PRIVATE_KEY") !== undefined || get("PRIVATE_KEY_PATH") !== undefined
  );
}

/**
 * Reads GitHub mode's settings, all of them before failing, so one message lists every variable to fix.
 * `raw` gives a variable untrimmed (the webhook secret is used exactly as GitHub has it); `get` trimmed,
 * with empty as unset.
 */
export function readGitHubConfig(
  get: (name: string) => string | undefined,
  raw: (name: string) => string | undefined,
): GitHubConfig {
  const problems: string[] = [];
  const problem = (text: string) => {
    problems.push(text);
    return undefined;
  };

  const appIdText = get("APP_ID");
  const appId =
    appIdText === undefined
      ? problem("APP_ID is not set: set it to the App's id (a number, on the App's settings page)")
      : /^\d+$/.test(appIdText) && Number(appIdText) > 0
        ? Number(appIdText)
        : problem(`APP_ID=${appIdText} is not an App id: use the number on the App's settings page`);

  const privateKey = readPrivateKey(get, problem);

  const secretText = raw("WEBHOOK_SECRET") ?? "";
  const webhookSecret =
    secretText.trim() === ""
      ? problem(
          "WEBHOOK_SECRET is not set: set it to the App's webhook secret (without it Probot would accept " +
            'webhooks signed with "development")',
        )
      : secretText === PROBOT_PLACEHOLDER_SECRET
        ? problem(
            'WEBHOOK_SECRET is Probot\'s placeholder "development": generate a random secret and set it on the ' +
              "App and here",
          )
        : new Secret(secretText);

  const webhookPath = get("WEBHOOK_PATH") ?? "/api/github/webhooks";
  if (!webhookPath.startsWith("/") || /\s|\?|#/.test(webhookPath)) {
    problem(`WEBHOOK_PATH=${webhookPath} is not a path: use one starting with /, e.g. /api/github/webhooks`);
  }

  const enterpriseHost = get("GHE_HOST");
  const protocol = get("GHE_PROTOCOL") ?? "https";
  if (protocol !== "https" && protocol !== "http") {
    problem(`GHE_PROTOCOL=${protocol} is not known: use https (the default) or http`);
  }
  if (enterpriseHost !== undefined && !HOST.test(enterpriseHost)) {
    problem(
      `GHE_HOST=${enterpriseHost} is not a host name: set the server's name alone (e.g. github.example.com ` +
        "or github.example.com:8443), and the scheme with GHE_PROTOCOL",
    );
  }
  const apiUrl =
    enterpriseHost === undefined ? "https://api.github.com" : `${protocol}://${enterpriseHost}/api/v3`;

  const policyRepo = get("POLICY_REPO");
  const name = policyRepo === undefined ? undefined : OWNER_AND_NAME.exec(policyRepo);
  if (policyRepo === undefined) {
    problem("POLICY_REPO is not set: set it to the policy repository as owner/name, e.g. acme/access-policy");
  } else if (name === null || name === undefined || name[2] === "." || name[2] === "..") {
    problem(`POLICY_REPO=${policyRepo} is not owner/name: set it like acme/access-policy`);
  }

  const baseBranch = get("POLICY_BASE_BRANCH") ?? "main";
  if (!BRANCH.test(baseBranch)) {
    problem(
      `POLICY_BASE_BRANCH=${baseBranch} is not a branch name: use the branch PRs merge into, e.g. main`,
    );
  }
  const policyDir = (get("POLICY_DIR") ?? "policies").replace(/^\/+|\/+$/g, "");
  if (policyDir === "" || policyDir.split("/").some((part) => part === ".." || part === ".")) {
    problem(`POLICY_DIR=${get("POLICY_DIR") ?? ""} is not a folder of the repository: use e.g. policies`);
  }

  const levelText = (get("LOG_LEVEL") ?? "info").toLowerCase();
  const logLevel = (LOG_LEVELS as readonly string[]).includes(levelText)
    ? (levelText as GitHubLogLevel)
    : problem(`LOG_LEVEL=${levelText} is not a level: use one of ${LOG_LEVELS.join(", ")}`);

  if (
    problems.length > 0 ||
    appId === undefined ||
    privateKey === undefined ||
    webhookSecret === undefined ||
    logLevel === undefined ||
    !name
  ) {
    throw new ConfigError(`GitHub mode cannot start: ${problems.join("; ")}`);
  }
  return {
    appId,
    privateKey,
    webhookSecret,
    webhookPath,
    apiUrl,
    enterpriseHost,
    owner: name[1] ?? "",
    repo: name[2] ?? "",
    baseBranch,
    policyDir,
    logLevel,
  };
}

function readPrivateKey(
  get: (name: string) => string | undefined,
  problem: (text: string) => undefined,
): Secret | undefined {
  const inline = get("PRIVATE_KEY");
  const path = get("PRIVATE_KEY_PATH");
  if (inline !== undefined && path !== undefined) {
    return problem("both PRIVATE_KEY and PRIVATE_KEY_PATH are set: keep one of them");
  }
  if (inline !== undefined) {
    const key = decodePrivateKey(inline);
    return key === undefined
      ? problem(
          "PRIVATE_KEY is not an RSA private key: paste the App's .pem file whole (or base64 of it, or with " +
            "its line breaks written as \\n), or name the file with PRIVATE_KEY_PATH",
        )
      : new Secret(key);
  }
  if (path === undefined) {
    return problem(
      "no private key: set PRIVATE_KEY to the App's key, or PRIVATE_KEY_PATH to its .pem file (generate one on " +
        "the App's settings page)",
    );
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return problem(
      `PRIVATE_KEY_PATH names ${path}, which cannot be read: check the path and its permissions`,
    );
  }
  const key = decodePrivateKey(text);
  return key === undefined
    ? problem(
        `PRIVATE_KEY_PATH names ${path}, which holds no RSA private key: use the .pem file the App's settings ` +
          "page generated",
      )
    : new Secret(key);
}
