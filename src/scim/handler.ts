/**
 * The SCIM 2.0 HTTP service under `/scim/v2` as a plain Node handler (Probot 14's `addHandler`, or a bare
 * `http.createServer`). Order per request: rate limit, bearer auth, route, SCIM error body for anything
 * refused or unexpected (never HTML).
 *
 * scimmy-routers is not used, so its Express-specific defect 1 (Express 5's re-parsed `req.query` losing
 * the numeric `startIndex`/`count`) cannot happen: we read the query string ourselves with URLSearchParams.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { IdentityLedger } from "../ledger/ledger.js";
import type { Secret } from "../secret.js";
import { isAuthorised } from "./bearer-auth.js";
import { MethodNotAllowedError, ScimError, toErrorBody } from "./errors.js";
import { sendJson } from "./http-io.js";
import { LookupIndex } from "./lookup-index.js";
import { MembershipIndex } from "./membership-index.js";
import { DEFAULT_SCIM_RATE_LIMIT, rateLimitOf, TokenBucket, type RateLimit } from "./rate-limit.js";
import { routeRequest, type RouteContext } from "./routes.js";

export interface ScimHandlerOptions {
  readonly ledger: IdentityLedger;
  /** Every token valid right now; several during a rotation. */
  readonly tokens: () => readonly Secret[];
  readonly basePath?: string;
  /** `https://scim.example.com` as the IdP reaches us; defaults to `http://` + the Host header. */
  readonly baseUrl?: (req: IncomingMessage) => string;
  /** Default DEFAULT_SCIM_RATE_LIMIT requests/s; false: no limit. */
  readonly rateLimit?: RateLimit | false;
  /** Called once per answered request, for metrics. */
  readonly onRequest?: (status: number, method: string) => void;
  /** Called with unexpected errors (answered as 500); never receives tokens or request bodies. */
  readonly onError?: (error: unknown) => void;
  /** Called when a request succeeded but sent something the IdP should fix (a member that is no user). */
  readonly onWarning?: (message: string, fields: Readonly<Record<string, unknown>>) => void;
}

export interface ScimHandler {
  /** Resolves to false when the request is not under the base path, so the caller can route it elsewhere. */
  (req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Stops following the ledger; call it before closing the ledger so no index outlives it. */
  close(): void;
}

function defaultBaseUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? "localhost"}`;
}

/** Path segments, decoded; a malformed escape stays as sent and simply matches nothing. */
function pathSegments(path: string): string[] {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

export function createScimHandler(options: ScimHandlerOptions): ScimHandler {
  const basePath = (options.basePath ?? "/scim/v2").replace(/\/+$/, "");
  const limit = options.rateLimit ?? rateLimitOf(DEFAULT_SCIM_RATE_LIMIT);
  const bucket = limit === false ? undefined : new TokenBucket(limit);
  const memberships = new MembershipIndex(options.ledger);
  const lookups = new LookupIndex(options.ledger);
  const baseUrl = options.baseUrl ?? defaultBaseUrl;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://scim.invalid");
    const pathname = url.pathname;
    if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return false;
    const method = (req.method ?? "GET").toUpperCase();
    let status = 500;
    try {
      const wait = bucket?.take() ?? 0;
      if (wait > 0) {
        status = 429;
        sendJson(res, 429, toErrorBody(new ScimError(429, `Too many requests; retry after ${wait} s`)), {
          "Retry-After": String(wait),
        });
        return true;
      }
      if (!isAuthorised(req, options.tokens())) {
        throw new ScimError(
          401,
          "Missing or invalid bearer token: send 'Authorization: Bearer <token>' with a configured SCIM token",
        );
      }
      const context: RouteContext = {
        req,
        method,
        url,
        segments: pathSegments(pathname.slice(basePath.length)),
        render: {
          ledger: options.ledger,
          memberships,
          root: `${baseUrl(req).replace(/\/+$/, "")}${basePath}`,
        },
        operations: {
          ledger: options.ledger,
          memberships,
          lookups,
          now: () => new Date().toISOString(),
          warn: (message, fields) => options.onWarning?.(message, fields),
        },
      };
      const answer = await routeRequest(context);
      status = answer.status;
      sendJson(res, answer.status, answer.body, answer.headers);
    } catch (error) {
      const scim = error instanceof ScimError ? error : undefined;
      if (scim === undefined || scim.status >= 500) options.onError?.(error);
      const refusal = scim ?? new ScimError(500, "Internal error; the request was not applied, retry later");
      status = refusal.status;
      const headers: Record<string, string> = {};
      if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="scim"';
      if (error instanceof MethodNotAllowedError) headers.Allow = error.allow;
      if (status === 413) headers.Connection = "close";
      if (res.headersSent) res.destroy();
      else sendJson(res, status, toErrorBody(refusal), headers);
      // Stop reading an oversized body instead of draining it.
      if (status === 413) res.on("finish", () => req.destroy());
    } finally {
      options.onRequest?.(status, method);
    }
    return true;
  };
  return Object.assign(handle, {
    close(): void {
      memberships.close();
      lookups.close();
    },
  });
}
