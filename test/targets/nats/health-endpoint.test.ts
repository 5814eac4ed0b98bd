import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import type { CalloutHealth } from "../../../src/targets/nats/callout/callout-service.js";
import {
  buildHealthReport,
  serveHealth,
  type HealthEndpoint,
} from "../../../src/targets/nats/callout/health-endpoint.js";

const SINCE = new Date("2026-12-01T10:00:00Z");
const ready: CalloutHealth = {
  bucket: { name: "scim-gitops-access", state: "ready", since: SINCE, people: 12 },
  stats: { answered: 40, refused: 2 },
};
const up = { auth: true, sys: true };

describe("nats-auth's health report", () => {
  it("is 200 only when the bucket is loaded and both connections are up", () => {
    expect(buildHealthReport({ callout: ready, connected: up })).toEqual({
      status: 200,
      body: {
        status: "ok",
        bucket: { name: "scim-gitops-access", state: "ready", since: SINCE.toISOString(), people: 12 },
        nats: { auth: "connected", sys: "connected" },
        callouts: { answered: 40, refused: 2 },
      },
    });
  });

  it("is 503 with the reason while waiting, when the bucket cannot be read, or a connection is down", () => {
    const waiting = buildHealthReport({
      callout: { ...ready, bucket: { ...ready.bucket, state: "waiting", people: 0 } },
      connected: up,
    });
    expect(waiting).toMatchObject({
      status: 503,
      body: { status: "waiting", problems: [expect.stringMatching(/does not exist yet/)] },
    });
    const unreadable = buildHealthReport({
      callout: { ...ready, bucket: { ...ready.bucket, error: "TIMEOUT" } },
      connected: up,
    });
    expect(unreadable).toMatchObject({
      status: 503,
      body: { status: "failing", bucket: { state: "ready", error: "TIMEOUT" } },
    });
    const noKicks = buildHealthReport({ callout: ready, connected: { auth: true, sys: false } });
    expect(noKicks).toMatchObject({
      status: 503,
      body: { status: "failing", problems: [expect.stringMatching(/system-account user: no kicks/)] },
    });
  });

  it("takes its port from NATS_AUTH_HEALTH_PORT and refuses one that is not a port", () => {
    expect(loadConfig({ NATS_AUTH_HEALTH_PORT: "8081" }).natsAuth().healthPort).toBe(8081);
    expect(loadConfig({}).natsAuth().healthPort).toBeUndefined();
    expect(() => loadConfig({ NATS_AUTH_HEALTH_PORT: "health" }).natsAuth()).toThrow(
      "NATS_AUTH_HEALTH_PORT=health is not a port number",
    );
  });
});

describe("nats-auth's health endpoint", () => {
  let endpoint: HealthEndpoint;
  beforeAll(async () => {
    endpoint = await serveHealth(0, () => buildHealthReport({ callout: ready, connected: up }));
  });
  afterAll(async () => endpoint?.stop());

  it("answers GET /healthz with JSON, and says where health is for anything else", async () => {
    const base = `http://127.0.0.1:${endpoint.port}`;
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/json");
    expect(await ok.json()).toMatchObject({ status: "ok" });

    const elsewhere = await fetch(`${base}/metrics`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ error: "nothing at /metrics: health is at GET /healthz" });

    const posted = await fetch(`${base}/healthz`, { method: "POST" });
    expect(posted.status).toBe(405);
    expect(posted.headers.get("allow")).toBe("GET, HEAD");
  });
});
