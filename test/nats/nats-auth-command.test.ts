import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BUCKET, natsAuthEnv, perms, startWorld, type NatsWorld } from "./fixture.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

let world: NatsWorld;
beforeAll(async () => {
  world = await startWorld({ xkey: true });
  await world.put("alice", { APP: perms(["app.>"], ["app.>"]) });
});
afterAll(async () => world?.stop());

it("scim-gitops nats-auth answers callouts from the environment's settings and stops on SIGTERM", async () => {
  const { server, oidc } = world;
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "nats-auth"], {
    env: { PATH: process.env.PATH, ...natsAuthEnv(world) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("answering $SYS.REQ.USER.AUTH")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`nats-auth exited ${code}: ${stderr}`)));
  });
  await ready;
  const token = await oidc.mint("alice");
  const alice = await world.connectAs("alice", { token });
  await alice.flush();
  await expect(world.connectAs("mallory", { maxReconnectAttempts: 0 })).rejects.toThrow(
    /authorization violation/i,
  );

  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(stderr).toContain("refused connection");
  expect(stderr).toContain("mallory holds no NATS access");
  expect(stderr).not.toContain(token);
  expect(stderr).not.toContain(server.issuerSeed);
});

it("nats-auth says which settings are missing", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "nats-auth"], {
    env: { PATH: process.env.PATH, NATS_URL: world.server.url, NATS_BUCKET: BUCKET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code).toBe(1);
  expect(stderr).toMatch(/needs NATS_AUTH_ISSUER_SEED, OIDC_ISSUER, OIDC_AUDIENCE, NATS_SYS_USER/);
});
