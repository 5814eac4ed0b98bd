/**
 * `scim-gitops serve` in GitHub mode as an operator runs it, against the stateful GitHub fake with an App
 * (its own key pair, an installation, signed webhooks). Two ways in, as `paths` says:
 * - "ghes": GitHub Enterprise Server's paths (GHE_HOST, GHE_PROTOCOL=http, the API under /api/v3), how an
 *   operator gives serve another API base;
 * - "github.com": serve on Probot's own https://api.github.com base and root paths, its requests routed to
 *   the fake by a preload (`route-api-github-com.mjs`), since github.com cannot be reached from here.
 * Shared by the GitHub mode end-to-end tests; the fake lives in the test process, so it outlives a killed
 * serve.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ZERO } from "../../fakes/github/fake-git-store.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";
import type { FakePull } from "../../fakes/github/fake-github-state.js";
import type { ServeProcess } from "../../server/serve-process.js";
import { startServeProcess } from "../../server/serve-process.js";

export const APP_ID = 8088;
export const INSTALLATION = 77;
export const WEBHOOK_SECRET = "e2e-webhook-secret-5f1d0c9a8b7e";
export const SCIM_TOKEN = "e2e-scim-token-3c4d5e6f7a8b9c0d";
export const SYNC = "scim-gitops/sync";
export const EMERGENCY_LABEL = "emergency-deprovision";
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const PRIVATE_KEY = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();

export interface GitHubModeWorld {
  readonly fake: FakeGitHub;
  readonly scratch: string;
  /** Where serve keeps its ledger; a restart reuses it. */
  readonly dataDir: string;
  /** What an operator sets (DESIGN §9); the key as base64, one of the forms Probot reads. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Starts serve on `dataDir` and points the fake's webhooks at it. */
  startServe(env?: Record<string, string>): Promise<ServeProcess>;
  close(): Promise<void>;
}

export type GitHubPaths = "github.com" | "ghes";

const ROUTE_API_GITHUB_COM = fileURLToPath(new URL("route-api-github-com.mjs", import.meta.url));

/** How serve reaches the fake on `paths`. */
function apiEnv(paths: GitHubPaths, fake: FakeGitHub): Record<string, string> {
  if (paths === "ghes") return { GHE_HOST: new URL(fake.url).host, GHE_PROTOCOL: "http" };
  return { NODE_OPTIONS: `--import=${ROUTE_API_GITHUB_COM}`, E2E_GITHUB_ORIGIN: fake.url };
}

/** The fake with the App installed on acme/policy, main seeded from the example policies. */
export async function openGitHubMode(prefix: string, paths: GitHubPaths = "ghes"): Promise<GitHubModeWorld> {
  const scratch = await mkdtemp(join(tmpdir(), prefix));
  const fake = await startFakeGitHub({
    app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION },
    webhookSecret: WEBHOOK_SECRET,
  });
  await seedMainFromExamples(fake);
  const dataDir = join(scratch, "data");
  const env = (extra: Record<string, string> = {}) => ({
    APP_ID: String(APP_ID),
    PRIVATE_KEY: Buffer.from(PRIVATE_KEY).toString("base64"),
    WEBHOOK_SECRET,
    ...apiEnv(paths, fake),
    POLICY_REPO: "acme/policy",
    SCIM_TOKEN,
    ...extra,
  });
  const started: ServeProcess[] = [];
  return {
    fake,
    scratch,
    dataDir,
    env,
    async startServe(extra = {}) {
      const serve = await startServeProcess({ dataDir, env: env(extra), startTimeoutMs: 60_000 });
      started.push(serve);
      fake.webhooks.url = webhookUrlOf(serve);
      return serve;
    },
    async close() {
      for (const serve of started) await serve.stop("SIGKILL");
      await fake.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The webhook URL serve prints at start. */
export function webhookUrlOf(serve: ServeProcess): string {
  return /^Webhooks: (\S+) /m.exec(serve.stdout())?.[1] ?? "";
}

async function seedMainFromExamples(fake: FakeGitHub): Promise<string> {
  const root = join(process.cwd(), "policies");
  const files: { path: string; mode: string; content: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        files.push({
          path: `policies/${relative(root, path)}`,
          mode: "100644",
          content: await readFile(path, "utf8"),
        });
    }
  };
  await walk(root);
  const tree = await fake.store.writeTree(undefined, files);
  if (typeof tree !== "string") throw new Error("could not seed the fake");
  const main = await fake.store.writeCommit(tree, [], "Initial policies\n");
  await fake.store.updateRef("refs/heads/main", main, ZERO);
  return main;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ScimAnswer = { status: number; body: any };

/** One SCIM request to serve, as the IdP sends it. */
export async function scimRequest(
  serve: ServeProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<ScimAnswer> {
  const response = await fetch(`${serve.scimUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${SCIM_TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

export async function scimIdOf(
  serve: ServeProcess,
  kind: "Users" | "Groups",
  attribute: string,
  value: string,
): Promise<string> {
  const found = await scimRequest(
    serve,
    "GET",
    `/${kind}?filter=${encodeURIComponent(`${attribute} eq "${value}"`)}`,
  );
  return found.body.Resources[0].id as string;
}

/** A file of the fake's repository at a ref, read with git itself. */
export function fileAt(fake: FakeGitHub, ref: string, path: string): string | undefined {
  try {
    return execFileSync("git", ["--git-dir", fake.store.dir, "show", `${ref}:${path}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return undefined;
  }
}

export const yamlAt = (fake: FakeGitHub, ref: string, path: string) =>
  parse(fileAt(fake, ref, path) ?? "null") as Record<string, unknown> | null;

export const pullsOf = (fake: FakeGitHub) => [...fake.pulls.values()];
export const syncPulls = (fake: FakeGitHub) => pullsOf(fake).filter((pull) => pull.head === SYNC);
export const openSyncPulls = (fake: FakeGitHub) => syncPulls(fake).filter((pull) => pull.state === "open");
export const emergencyPullsOf = (fake: FakeGitHub) =>
  pullsOf(fake).filter((pull) => pull.head.startsWith("scim-gitops/emergency/"));
export const mainHeadOf = async (fake: FakeGitHub) => (await fake.store.ref("refs/heads/main")) ?? "";

/** The App's latest run of `name` on the PR's current head. */
export async function checkOn(fake: FakeGitHub, pull: FakePull, name: string) {
  const head = await fake.state.headSha(pull);
  return fake.state.checkRuns.filter((run) => run.headSha === head && run.name === name).at(-1);
}

export interface HealthBody {
  readonly status: string;
  readonly problems?: string[];
  readonly repository: { ok: boolean; location: string; mainHead?: string; error?: string };
  readonly ledger: { users: number; groups: number; pendingWrites: number };
  readonly flush: {
    pendingChanges: number;
    flushes: number;
    flushFailures: number;
    lastFlushAt?: string;
    lastError?: string;
    emergencies: { queued: number; retrying: number; merged: number; failed: number };
  };
}

export async function healthOf(serve: ServeProcess): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(`${serve.origin}/healthz`);
  return { status: response.status, body: (await response.json()) as HealthBody };
}
