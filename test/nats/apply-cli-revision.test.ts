/**
 * In CI the apply Action checks out the merged commit and sets GITHUB_SHA: `scim-gitops apply` passes it
 * to the engine as the revision, and every NATS entry it writes names that commit as changedBy.
 */
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { connect } from "nats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config.js";
import { openOrCreateBucket } from "../../src/targets/nats/bucket.js";
import { decodeEntry, keyForPrincipal } from "../../src/targets/nats/entry.js";
import { startNatsServer, type RunningNatsServer } from "../support/nats-server.js";

const POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));
const SHA = "4f1c0a9e2b7d6c5a3e8f9b0d1c2e3f4a5b6c7d8e";

let server: RunningNatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => server?.stop());

it("records GITHUB_SHA as changedBy of every entry apply writes", async () => {
  const out = new PassThrough().resume();
  const config = loadConfig({
    NATS_URL: server.url,
    NATS_USER: server.auth.user,
    NATS_PASSWORD: server.auth.password,
    GITHUB_SHA: SHA,
  });
  const code = await main(["apply", "--policies", POLICIES, "--target", "nats"], {
    stdout: out,
    stderr: out,
    config,
    now: () => new Date("2026-11-29T00:00:00Z"),
  });
  expect(code).toBe(0);
  const nc = await connect({ servers: server.url, user: server.auth.user, pass: server.auth.password });
  try {
    const kv = await openOrCreateBucket(nc, "scim-gitops-access");
    const entry = await kv.get(keyForPrincipal("alice@example.com"));
    expect(entry?.operation).toBe("PUT");
    expect(decodeEntry("alice@example.com", entry!.value).changedBy).toBe(SHA);
  } finally {
    await nc.close();
  }
});
