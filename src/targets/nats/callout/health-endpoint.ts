/**
 * `nats-auth`'s own `GET /healthz` (opt-in with --health-port / NATS_AUTH_HEALTH_PORT) for probes and
 * dashboards: 200 only while it can do its job (the bucket is loaded and both NATS connections are up), else
 * 503. Counts and the bucket's name only: never a person, a token or a key.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CalloutHealth } from "./callout-service.js";

export interface ServiceHealth {
  readonly callout: CalloutHealth;
  /** The AUTH-account connection (callouts, bucket) and the system-account one (kicks). */
  readonly connected: { readonly auth: boolean; readonly sys: boolean };
}

export interface HealthReport {
  readonly status: 200 | 503;
  readonly body: Record<string, unknown>;
}

export function buildHealthReport(health: ServiceHealth): HealthReport {
  const { bucket, stats } = health.callout;
  const problems: string[] = [];
  if (bucket.state === "waiting")
    problems.push(`the KV bucket ${bucket.name} does not exist yet: every connect is refused`);
  if (bucket.error !== undefined) problems.push(`the KV bucket ${bucket.name} cannot be read`);
  if (!health.connected.auth) problems.push("disconnected from NATS as the AUTH-account user: no callouts");
  if (!health.connected.sys) problems.push("disconnected from NATS as the system-account user: no kicks");
  const status = problems.length === 0 ? 200 : 503;
  return {
    status,
    body: {
      status: status === 200 ? "ok" : bucket.state === "waiting" ? "waiting" : "failing",
      ...(problems.length === 0 ? {} : { problems }),
      bucket: {
        name: bucket.name,
        state: bucket.state,
        since: bucket.since.toISOString(),
        people: bucket.people,
        ...(bucket.error === undefined ? {} : { error: bucket.error }),
      },
      nats: {
        auth: health.connected.auth ? "connected" : "disconnected",
        sys: health.connected.sys ? "connected" : "disconnected",
      },
      callouts: { answered: stats.answered, refused: stats.refused },
    },
  };
}

export interface HealthEndpoint {
  readonly port: number;
  stop(): Promise<void>;
}

/** Listens on every interface (a probe comes from outside the pod; nothing in the report is secret). */
export async function serveHealth(port: number, report: () => HealthReport): Promise<HealthEndpoint> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : JSON.stringify(body));
    };
    if (path !== "/healthz") return send(404, { error: `nothing at ${path}: health is at GET /healthz` });
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return send(405, { error: "only GET /healthz" });
    }
    const { status, body } = report();
    send(status, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
