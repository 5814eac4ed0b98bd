/** `scim-gitops serve` as an operator starts it: a child process on a fresh machine, no environment. */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oktaUser } from "../scim/support/scim-server.js";
import { runServeToExit, startServeProcess, type ServeProcess } from "./serve-process.js";

let scratch: string;
let serve: ServeProcess;
let token: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "serve-test-"));
  serve = await startServeProcess({ dataDir: join(scratch, "data"), repoPath: join(scratch, "repo") });
  token = (await readFile(join(scratch, "data", "scim-token"), "utf8")).trim();
});

afterAll(async () => {
  await serve.stop("SIGKILL");
  await rm(scratch, { recursive: true, force: true });
});

const scim = (path: string, init: RequestInit = {}) =>
  fetch(`${serve.scimUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json", ...init.headers },
  });

describe("serve with no environment", () => {
  it("prints the SCIM base URL on its own line and where the generated token is, never the token", async () => {
    expect(serve.scimUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    expect(serve.stdout()).toContain(`SCIM bearer token: in ${join(scratch, "data", "scim-token")}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(scratch, "data", "scim-token"))).mode & 0o777).toBe(0o600);
    expect(serve.stdout() + serve.stderr()).not.toContain(token);
  });

  it("creates the policy repository from the bundled examples and seeds the ledger from it", async () => {
    const files = spawnSync("git", ["-C", join(scratch, "repo"), "ls-tree", "-r", "--name-only", "main"], {
      encoding: "utf8",
    }).stdout;
    expect(files).toContain("policies/settings.yaml");
    const health = (await (await fetch(`${serve.origin}/healthz`)).json()) as { ledger: { users: number } };
    expect(health.ledger.users).toBeGreaterThan(0);
  });

  it("serves SCIM with the token, refuses without it, and never logs the Authorization header", async () => {
    expect((await fetch(`${serve.scimUrl}/Users`)).status).toBe(401);
    const created = await scim("/Users", {
      method: "POST",
      body: JSON.stringify(oktaUser("serve.test@example.com")),
    });
    expect(created.status).toBe(201);
    expect((await scim("/Users?filter=userName%20eq%20%22serve.test@example.com%22")).status).toBe(200);
    expect(serve.stderr()).not.toContain(token);
  });

  it("answers /healthz with ledger, repository and flush state and no identity, without a token", async () => {
    const response = await fetch(`${serve.origin}/healthz`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, Record<string, unknown>>;
    expect(body.status).toBe("ok");
    expect(body.ledger).toMatchObject({ ok: true });
    expect(body.repository).toMatchObject({ ok: true });
    expect(body.flush).toHaveProperty("pendingChanges");
    expect(text).not.toMatch(/@example\.com|serve\.test/);
  });

  it("answers /metrics in Prometheus text with requests by status and flush figures, without a token", async () => {
    const response = await fetch(`${serve.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^scim_gitops_scim_requests_total\{method="POST",status="201"\} [1-9]/m);
    expect(text).toMatch(/^scim_gitops_scim_requests_total\{method="GET",status="401"\} [1-9]/m);
    for (const name of [
      "scim_gitops_pending_changes",
      "scim_gitops_last_flush_duration_seconds",
      "scim_gitops_emergency_merges_total",
      "scim_gitops_emergency_merge_failures_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).not.toMatch(/@example\.com/);
  });

  it("answers anything else with a JSON 404", async () => {
    const response = await fetch(`${serve.origin}/admin`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/under \/scim\/v2/);
  });

  it("refuses a second serve on the same data directory, naming the running one", () => {
    const second = runServeToExit(["--data", join(scratch, "data"), "--repo", join(scratch, "repo")]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`in use by process ${serve.child.pid}`);
  });

  it("on SIGTERM flushes what was acknowledged to the sync branch and exits 0", async () => {
    const created = await scim("/Users", {
      method: "POST",
      body: JSON.stringify(oktaUser("last.one@example.com")),
    });
    expect(created.status).toBe(201);
    expect(await serve.stop("SIGTERM")).toBe(0);
    const files = spawnSync(
      "git",
      [
        "-C",
        join(scratch, "repo"),
        "ls-tree",
        "-r",
        "--name-only",
        "scim-gitops/sync",
        "policies/identities/users",
      ],
      { encoding: "utf8" },
    ).stdout;
    expect(files).toContain("policies/identities/users/last-one-example-com.yaml");
  });
});

describe("serve with GitHub App credentials half set up", () => {
  it("names every variable to set and exits 1, quoting no key", () => {
    const result = runServeToExit([], { APP_ID: "12345", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^scim-gitops serve: GitHub mode cannot start: PRIVATE_KEY is not an RSA/,
    );
    expect(result.stderr).toContain("WEBHOOK_SECRET is not set");
    expect(result.stderr).toContain("POLICY_REPO is not set");
    expect(result.stderr).not.toContain("BEGIN RSA");
  });

  it("refuses --repo, which only the embedded mode has", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const result = runServeToExit(["--repo", join(scratch, "repo-x")], {
      APP_ID: "12345",
      PRIVATE_KEY: key.toString(),
      WEBHOOK_SECRET: "a-secret-for-the-test",
      POLICY_REPO: "acme/policy",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--repo is the embedded mode's repository on disk; in GitHub mode");
  });
});

describe("serve with an empty generated-token file", () => {
  it("refuses to start rather than accept an empty bearer token", async () => {
    const data = join(scratch, "empty-token-data");
    await mkdir(data, { recursive: true });
    await writeFile(join(data, "scim-token"), "\n");
    const result = runServeToExit(["--data", data, "--repo", join(scratch, "repo-2")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/holds no usable token.*delete it and serve generates a new one/);
  });
});
