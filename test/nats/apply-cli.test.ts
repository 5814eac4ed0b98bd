import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config.js";
import { startNatsServer, type RunningNatsServer } from "../support/nats-server.js";

const POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));

let server: RunningNatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => server?.stop());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (chunk: Buffer) => chunks.out.push(chunk));
  err.on("data", (chunk: Buffer) => chunks.err.push(chunk));
  const config = loadConfig({
    NATS_URL: server.url,
    NATS_USER: server.auth.user,
    NATS_PASSWORD: server.auth.password,
    NATS_SYS_USER: server.sys.user,
    NATS_SYS_PASSWORD: server.sys.password,
  });
  const code = await main(argv, {
    stdout: out,
    stderr: err,
    config,
    now: () => new Date("2026-11-29T00:00:00Z"),
  });
  return { code, out: Buffer.concat(chunks.out).toString(), err: Buffer.concat(chunks.err).toString() };
}

it("plan and apply --target nats write the example policy into the bucket once, and never print a secret", async () => {
  const plan = await cli("plan", "--policies", POLICIES, "--target", "nats", "--detailed-exitcode");
  expect(plan.code).toBe(2);
  expect(plan.out).toMatch(/\+ .*account (APP|PAYMENTS)/);
  expect(plan.err + plan.out).toMatch(/bucket scim-gitops-access does not exist yet/);

  const apply = await cli("apply", "--policies", POLICIES, "--target", "nats");
  expect(apply.code).toBe(0);
  const again = await cli("plan", "--policies", POLICIES, "--target", "nats", "--detailed-exitcode");
  expect(again.code).toBe(0);
  for (const output of [plan, apply, again]) {
    expect(output.out + output.err).not.toContain(server.auth.password);
    expect(output.out + output.err).not.toContain(server.sys.password);
  }
});
