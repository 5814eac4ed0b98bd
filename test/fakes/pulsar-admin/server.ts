import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { route, type FakeReply } from "./routes.js";
import { FakePulsarState } from "./state.js";

export interface FakeRequestRecord {
  readonly server: "primary" | "secondary";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorization: boolean;
}

export interface FakePulsarFaults {
  /** The next N writes (non-GET) answer 409 `Concurrent modification` without changing anything. */
  conflictNextWrites(count: number): void;
  /** The next N requests to the primary answer 307 to the same path on the secondary port. */
  redirectNext(count: number): void;
  /** The next N requests (or only writes) answer 500 with a `text/plain` stack trace. */
  serverErrorNext(count: number, only?: "writes"): void;
  /** The next N requests answer 401 with the servlet container's HTML page. */
  htmlUnauthorizedNext(count: number): void;
  /** Added to every request. */
  latencyMs: number;
}

export interface FakePulsarAdmin {
  readonly url: string;
  /** Where 307s point; it demands the Authorization header like the primary. */
  readonly secondaryUrl: string;
  readonly state: FakePulsarState;
  readonly log: FakeRequestRecord[];
  readonly faults: FakePulsarFaults;
  /** Requests other than GET that reached the fake (the dry-run and idempotence proofs count these). */
  writes(): FakeRequestRecord[];
  /** The most writes that were in flight at once (with latency injected, shows the client's concurrency). */
  peakConcurrentWrites(): number;
  close(): Promise<void>;
}

export interface FakePulsarOptions {
  /** Bearer token → role. */
  readonly tokens: Readonly<Record<string, string>>;
  readonly superUserRoles: readonly string[];
}

const HTML_401 =
  '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n<title>Error 401 Authentication required</title>\n</head>\n<body><h2>HTTP ERROR 401 Authentication required</h2>\n</body>\n</html>\n';
const TEXT_500 =
  " --- An unexpected error occurred in the server ---\n\nMessage: java.lang.NullPointerException\n\nStacktrace:\n\njava.lang.NullPointerException\n\tat org.apache.pulsar.broker.admin.impl.NamespacesBase.internalGrantPermissionOnNamespace(NamespacesBase.java:1)\n";

/** A stateful Pulsar admin API on 127.0.0.1 (two ports: the second is where 307s lead). */
export async function startFakePulsarAdmin(options: FakePulsarOptions): Promise<FakePulsarAdmin> {
  const state = new FakePulsarState();
  const log: FakeRequestRecord[] = [];
  const counters = { conflict: 0, redirect: 0, error500: 0, error500WritesOnly: false, html401: 0 };
  const faults: FakePulsarFaults = {
    conflictNextWrites: (count) => void (counters.conflict = count),
    redirectNext: (count) => void (counters.redirect = count),
    serverErrorNext: (count, only) => {
      counters.error500 = count;
      counters.error500WritesOnly = only === "writes";
    },
    htmlUnauthorizedNext: (count) => void (counters.html401 = count),
    latencyMs: 0,
  };
  const rights = { superUserRoles: new Set(options.superUserRoles) };
  let secondaryUrl = "";
  const writing = new Set<string>();
  let inFlightWrites = 0;
  let peakWrites = 0;

  const handle = async (
    which: "primary" | "secondary",
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const body = await readBody(req);
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    // A broker answers 409 when two writes to one namespace's policies overlap (reference §2.7.3).
    const key = method === "GET" ? undefined : policiesKey(rawPath);
    const overlapping = key !== undefined && writing.has(key);
    if (key !== undefined && !overlapping) writing.add(key);
    inFlightWrites += method === "GET" ? 0 : 1;
    peakWrites = Math.max(peakWrites, inFlightWrites);
    try {
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    } finally {
      if (key !== undefined && !overlapping) writing.delete(key);
      inFlightWrites -= method === "GET" ? 0 : 1;
    }
    const header = req.headers.authorization;
    const reply = ((): FakeReply => {
      if (counters.html401 > 0)
        return (
          counters.html401--,
          { status: 401, text: HTML_401, contentType: "text/html;charset=iso-8859-1" }
        );
      if (counters.error500 > 0 && (method !== "GET" || !counters.error500WritesOnly))
        return (counters.error500--, { status: 500, text: TEXT_500, contentType: "text/plain" });
      if (which === "primary" && counters.redirect > 0)
        return (counters.redirect--, { status: 307, text: "" });
      const token = header?.startsWith("Bearer ") === true ? header.slice(7) : undefined;
      const role = token === undefined ? undefined : options.tokens[token];
      if (role === undefined)
        return { status: 401, text: HTML_401, contentType: "text/html;charset=iso-8859-1" };
      if (!rawPath.startsWith("/admin/v2/")) return { status: 404, json: { reason: "HTTP 404 Not Found" } };
      if (body.length > 0 && !(req.headers["content-type"] ?? "").startsWith("application/json")) {
        return { status: 415, text: "HTTP 415 Unsupported Media Type", contentType: "text/plain" };
      }
      let parsed: unknown;
      try {
        parsed = body.length > 0 ? JSON.parse(body) : undefined;
      } catch {
        return { status: 400, json: { reason: "Cannot parse the request body as JSON" } };
      }
      if (overlapping) return { status: 409, json: { reason: "Concurrent modification" } };
      if (method !== "GET" && counters.conflict > 0)
        return (counters.conflict--, { status: 409, json: { reason: "Concurrent modification" } });
      const segments = rawPath
        .slice("/admin/v2/".length)
        .split("/")
        .map((segment) => decodeURIComponent(segment.replace(/\+/g, " ")));
      return route(state, rights, { method, segments, role, body: parsed });
    })();
    log.push({
      server: which,
      method,
      path: rawPath,
      status: reply.status,
      authorization: header !== undefined,
    });
    if (reply.status === 307) res.setHeader("location", `${secondaryUrl}${req.url ?? "/"}`);
    if (reply.json !== undefined) {
      res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.json));
    } else {
      res
        .writeHead(reply.status, reply.contentType === undefined ? {} : { "content-type": reply.contentType })
        .end(reply.text ?? "");
    }
  };

  const primary = await listen((req, res) => void handle("primary", req, res));
  const secondary = await listen((req, res) => void handle("secondary", req, res));
  secondaryUrl = urlOf(secondary);
  return {
    url: urlOf(primary),
    secondaryUrl,
    state,
    log,
    faults,
    writes: () => log.filter((record) => record.method !== "GET"),
    peakConcurrentWrites: () => peakWrites,
    close: async () => {
      await Promise.all(
        [primary, secondary].map((server) => {
          server.closeAllConnections();
          return new Promise((resolve) => server.close(resolve));
        }),
      );
    },
  };
}

/** Which policies document a write changes: a namespace's (namespace and topic grants) or a tenant's. */
function policiesKey(path: string): string | undefined {
  const [kind, tenant, namespace] = path.replace(/^\/admin\/v2\//, "").split("/");
  if (kind === "tenants") return tenant === undefined ? undefined : `tenant:${tenant}`;
  if (kind === "namespaces" || kind === "persistent" || kind === "non-persistent") {
    return tenant === undefined || namespace === undefined ? undefined : `${tenant}/${namespace}`;
  }
  return undefined;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
