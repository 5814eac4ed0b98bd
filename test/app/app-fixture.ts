import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { Probot } from "probot";
import type { AppDependencies } from "../../src/app.js";
import scimGitopsApp from "../../src/app.js";
import { AppOctokit } from "../../src/app/app-octokit.js";
import { createProbotLogger } from "../../src/app/probot-logger.js";
import type { LineLevel } from "../../src/server/logger.js";
import { createLineWriter } from "../../src/server/logger.js";

export const APP_ID = 4711;
export const WEBHOOK_SECRET = "unit-webhook-secret-0b1c2d3e";
export const OWNER = "acme";
export const REPO = "policy";
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const PRIVATE_KEY = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
export const PUBLIC_KEY = keys.publicKey;

interface ExampleGroup {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}
const EXAMPLES = createRequire(import.meta.url)("@octokit/webhooks-examples") as readonly ExampleGroup[];

/**
 * A payload from @octokit/webhooks-examples (GitHub's own recorded deliveries), moved to `repository`
 * (POLICY_REPO by default) and given an installation, with `change` applied on top.
 */
export function examplePayload(
  name: string,
  action: string | undefined,
  change: Record<string, unknown> = {},
  repository = `${OWNER}/${REPO}`,
): Record<string, unknown> {
  const group = EXAMPLES.find((candidate) => candidate.name === name);
  const found = group?.examples.find((candidate) => action === undefined || candidate["action"] === action);
  if (found === undefined) throw new Error(`@octokit/webhooks-examples has no ${name}.${action ?? ""}`);
  const payload = structuredClone(found);
  const [owner = "", repo = ""] = repository.split("/");
  const template = payload["repository"] as Record<string, unknown>;
  payload["repository"] = {
    ...template,
    name: repo,
    full_name: repository,
    owner: { ...(template["owner"] as Record<string, unknown>), login: owner },
  };
  payload["installation"] = { id: 77, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return { ...payload, ...change };
}

/** What the handlers asked of the service, in order: `main` for a nudge, a number for a queued check. */
export interface RecordedDependencies extends AppDependencies {
  readonly calls: (string | number)[];
}

export function recordingDependencies(): RecordedDependencies {
  const calls: (string | number)[] = [];
  return {
    owner: OWNER,
    repo: REPO,
    baseBranch: "main",
    calls,
    mainMayHaveMoved: () => calls.push("main"),
    checkPullRequest: (number) => calls.push(number),
  };
}

export interface LogLines {
  readonly lines: { level: LineLevel; text: string }[];
  text(): string;
}

/** Probot as GitHub mode builds it (AppOctokit, the redacting logger at debug), on github.com's API. */
export function unitProbot(options: { baseUrl?: string } = {}): { probot: Probot; log: LogLines } {
  const lines: { level: LineLevel; text: string }[] = [];
  const write = createLineWriter({ write: (text) => lines.push({ level: levelOf(text), text }) });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    secret: WEBHOOK_SECRET,
    Octokit: AppOctokit,
    log: createProbotLogger({ write, level: "debug" }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  return { probot, log: { lines, text: () => lines.map((line) => line.text).join("") } };
}

function levelOf(text: string): LineLevel {
  const level = text.split(" ")[1]?.toLowerCase();
  return level === "debug" || level === "warn" || level === "error" ? level : "info";
}

export async function loadedApp(deps: AppDependencies = recordingDependencies()) {
  const { probot, log } = unitProbot();
  await probot.load(scimGitopsApp(deps));
  return { probot, log };
}
