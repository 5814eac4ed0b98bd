import { spawn, type ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { connect } from "nats";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config.js";
import { startWorld, type NatsWorld } from "./fixture.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));
const REASON = "the KV bucket scim-gitops-access does not exist yet: run scim-gitops apply";

let world: NatsWorld;
let child: ChildProcess | undefined;
beforeAll(async () => {
  world = await startWorld({ withoutBucket: true });
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  await world?.stop();
});

function natsEnv(): Record<string, string> {
  const { server } = world;
  return {
    NATS_URL: server.url,
    NATS_USER: server.auth.user,
    NATS_PASSWORD: server.auth.password,
    NATS_SYS_USER: server.sys.user,
    NATS_SYS_PASSWORD: server.sys.password,
  };
}

/** `scim-gitops apply --target nats` on the bundled example policies, in process, as CI would run it. */
async function apply(): Promise<number> {
  const sink = new PassThrough().resume();
  return main(["apply", "--policies", POLICIES, "--target", "nats"], {
    stdout: sink,
    stderr: sink,
    config: loadConfig(natsEnv()),
    now: () => new Date("2026-11-29T00:00:00Z"),
  });
}

async function healthz(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

it("nats-auth started before the first apply waits for the bucket, says so on /healthz, and picks it up", async () => {
  const { server, oidc } = world;
  const started = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "nats-auth", "--policies", POLICIES, "--health-port", "0"],
    {
      env: {
        PATH: process.env.PATH,
        ...natsEnv(),
        NATS_AUTH_ISSUER_SEED: server.issuerSeed,
        OIDC_ISSUER: oidc.issuer,
        OIDC_AUDIENCE: oidc.audience,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child = started;
  let stderr = "";
  const port = await new Promise<number>((resolve, reject) => {
    started.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /health on port (\d+)/.exec(stderr);
      if (match !== null) resolve(Number(match[1]));
    });
    started.once("exit", (code) => reject(new Error(`nats-auth exited ${code}: ${stderr}`)));
  });

  const waiting = await healthz(port);
  expect(waiting.status).toBe(503);
  expect(waiting.body).toMatchObject({
    status: "waiting",
    bucket: { name: "scim-gitops-access", state: "waiting", people: 0 },
    nats: { auth: "connected", sys: "connected" },
  });

  // The user name is a habit, not an account: with her token as the password she is no worse off for it.
  const token = await oidc.mint("alice@example.com");
  const asAlice = () => connect({ servers: server.url, user: "alice", pass: token, maxReconnectAttempts: 0 });
  await expect(asAlice()).rejects.toThrow(/authorization violation/i);
  await vi.waitFor(() => expect(server.log()).toContain(`Auth callout service returned an error: ${REASON}`));

  expect(await apply()).toBe(0);
  await vi.waitFor(async () => expect((await healthz(port)).status).toBe(200), { timeout: 5000 });
  const ready = await healthz(port);
  expect(ready.body).toMatchObject({ status: "ok", bucket: { state: "ready" }, callouts: { refused: 1 } });
  expect((ready.body.bucket as { people: number }).people).toBeGreaterThan(0);

  const alice = await asAlice();
  const listener = await asAlice();
  const received = listener.subscribe("payments.settled.1", { max: 1 });
  await listener.flush();
  alice.publish("payments.settled.1", "paid");
  for await (const message of received) expect(message.string()).toBe("paid");
  await Promise.all([alice.close(), listener.close()]);

  const exited = new Promise<number | null>((resolve) => started.once("exit", resolve));
  started.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(stderr).toContain(`bucket scim-gitops-access: waiting (${REASON}`);
  expect(stderr).toMatch(/bucket scim-gitops-access: ready \(\d+ people/);
  for (const secret of [token, server.auth.password, server.sys.password, server.issuerSeed]) {
    expect(stderr).not.toContain(secret);
    expect(JSON.stringify([waiting.body, ready.body])).not.toContain(secret);
  }
  expect(JSON.stringify([waiting.body, ready.body])).not.toContain("alice");
});
