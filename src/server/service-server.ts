/**
 * The one HTTP server of `serve`: `/scim/v2` to the SCIM handler, `GET /healthz`, `GET /metrics`, then the
 * fallback (GitHub mode: the App's webhooks), and a JSON 404 for anything else. Health and metrics need no
 * token and show no identity (DESIGN §8).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ScimHandler } from "../scim/handler.js";
import type { HealthReport } from "./health.js";
import type { Logger } from "./logger.js";
import type { ServiceMetrics } from "./metrics.js";

export interface ServiceServerOptions {
  readonly scim: ScimHandler;
  readonly health: () => Promise<HealthReport>;
  readonly metrics: ServiceMetrics;
  readonly renderMetrics: () => string;
  readonly log: Logger;
  readonly basePath?: string;
  /** Asked after SCIM, health and metrics; resolves true once it answered. */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export function createServiceServer(options: ServiceServerOptions): Server {
  const basePath = options.basePath ?? "/scim/v2";
  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      options.log.error("request failed unexpectedly", { error });
      if (!res.headersSent) sendJson(res, 500, { error: "internal error", detail: "retry later" });
      else res.destroy();
    });
  });

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === basePath || path.startsWith(`${basePath}/`)) {
      const started = performance.now();
      res.once("finish", () => {
        options.metrics.recordRequest(
          req.method ?? "GET",
          res.statusCode,
          (performance.now() - started) / 1000,
        );
      });
      if (await options.scim(req, res)) return;
    }
    if (path === "/healthz" || path === "/metrics") {
      if (req.method !== "GET" && req.method !== "HEAD") {
        sendJson(
          res,
          405,
          { error: "method not allowed", detail: `${path} answers GET only` },
          { Allow: "GET, HEAD" },
        );
        return;
      }
      if (path === "/metrics") {
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(options.renderMetrics());
        return;
      }
      const report = await options.health();
      sendJson(res, report.status, report.body, { "Cache-Control": "no-store" });
      return;
    }
    if (options.fallback !== undefined && (await options.fallback(req, res))) return;
    sendJson(res, 404, {
      error: "not found",
      detail: `nothing at ${path}: the SCIM service is under ${basePath}, health at /healthz, metrics at /metrics`,
    });
  };
  return server;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
