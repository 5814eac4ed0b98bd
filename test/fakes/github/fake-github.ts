import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGitStore } from "./fake-git-store.js";
import type { FakeAppOptions } from "./fake-github-app-auth.js";
import { FakeAppAuth } from "./fake-github-app-auth.js";
import { routeCheckRun } from "./fake-github-checks.js";
import { routeGraphql } from "./fake-github-graphql.js";
import { operationOf } from "./fake-github-operations.js";
import { routePullRequest } from "./fake-github-pulls.js";
import { routeGitHubRequest } from "./fake-github-routes.js";
import { responseMismatch } from "./fake-github-schemas.js";
import type { FakePull } from "./fake-github-state.js";
import { FakeRepoState } from "./fake-github-state.js";
import { FakeWebhooks } from "./fake-github-webhooks.js";

export interface LoggedRequest {
  readonly method: string;
  /** The decoded path as sent (with `/api/v3` on GHES), without the query. */
  readonly path: string;
  readonly status: number;
  /** The query string, without the `?`. */
  readonly query: string;
  /** When the request arrived (`Date.now()`), so a test can see how long a client waited between two. */
  readonly at: number;
}

/** Misbehaviour to inject; each fires once (or `times` times) and then clears. */
export interface FakeGitHubFaults {
  /** Runs just before the next ref update (POST/PATCH git/refs, POST merges) is applied: a concurrent push. */
  beforeRefUpdate?: (() => Promise<void>) | undefined;
  /** Answers the next `times` requests with GitHub's secondary rate limit. */
  rateLimit?: { status: 403 | 429; retryAfterSeconds?: number; times: number } | undefined;
  /** Branches a ruleset protects: ref updates get 422, merges into them 409 (not cleared after use). */
  protectedBranches?: ReadonlySet<string> | undefined;
  /** Answers the next request 401 with the Authorization header echoed back, as a broken proxy might. */
  echoAuthorization?: boolean | undefined;
  /** Answers the next `times` requests with a 5xx, GitHub's unicorn page body. */
  serverError?: { status?: 500 | 502 | 503; times: number } | undefined;
  /** GitHub unreachable until this time (`Date.now()` ms): every connection is reset, nothing answers. */
  downUntil?: number | undefined;
  /** Answers the next `times` pull request merges (PUT …/merge) with GitHub's 405 or 409. */
  mergeRefusal?: { status: 405 | 409; times: number } | undefined;
  /**
   * Runs before each request is routed (`path` as sent, without the query); a test kills a process here,
   * mid-flush. Not cleared after use.
   */
  beforeRequest?: ((method: string, path: string) => Promise<void> | void) | undefined;
}

export interface FakeGitHubOptions {
  readonly owner?: string;
  readonly repo?: string;
  /** With an App, every request must carry its JWT or an installation token it minted (else 401). */
  readonly app?: FakeAppOptions;
  readonly webhookSecret?: string;
}

export interface FakeGitHub {
  /** The API base URL (`baseUrl` for Octokit) on github.com's paths. */
  readonly url: string;
  /** The same server on GitHub Enterprise Server's paths: `<host>/api/v3`, GraphQL at `<host>/api/graphql`. */
  readonly enterpriseUrl: string;
  readonly owner: string;
  readonly repo: string;
  readonly store: FakeGitStore;
  readonly state: FakeRepoState;
  readonly log: LoggedRequest[];
  readonly faults: FakeGitHubFaults;
  /** Pull requests by number; set `blockedBy` on one to make GitHub refuse its merge with a 405. */
  readonly pulls: Map<number, FakePull>;
  readonly app: FakeAppAuth | undefined;
  readonly webhooks: FakeWebhooks;
  /** Answers that broke GitHub's published schema; each was also sent as a 500 so the caller fails. */
  readonly mismatches: string[];
  close(): Promise<void>;
}

export interface ReplyBody {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

function injectedFault(faults: FakeGitHubFaults, request: IncomingMessage): ReplyBody | undefined {
  if (faults.echoAuthorization === true) {
    faults.echoAuthorization = false;
    return { status: 401, body: { message: `Bad credentials: ${request.headers.authorization ?? ""}` } };
  }
  const failure = faults.serverError;
  if (failure !== undefined) {
    failure.times--;
    if (failure.times <= 0) faults.serverError = undefined;
    return { status: failure.status ?? 502, body: { message: "Server Error" } };
  }
  const refusal = faults.mergeRefusal;
  if (refusal !== undefined && request.method === "PUT" && /\/pulls\/\d+\/merge$/.test(request.url ?? "")) {
    refusal.times--;
    if (refusal.times <= 0) faults.mergeRefusal = undefined;
    return refusal.status === 405
      ? {
          status: 405,
          body: {
            message: 'Required status check "plan" is expected.',
            documentation_url: "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request",
            status: "405",
          },
        }
      : {
          status: 409,
          body: {
            message: "Head branch was modified. Review and try the merge again.",
            documentation_url: "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request",
            status: "409",
          },
        };
  }
  const limit = faults.rateLimit;
  if (limit === undefined) return undefined;
  limit.times--;
  if (limit.times <= 0) faults.rateLimit = undefined;
  return {
    status: limit.status,
    headers: limit.retryAfterSeconds === undefined ? {} : { "retry-after": String(limit.retryAfterSeconds) },
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
      status: String(limit.status),
    },
  };
}

/** Routes that authenticate as the App itself (its JWT), not as an installation. */
const APP_ROUTES = /^\/app\/|^\/repos\/[^/]+\/[^/]+\/installation$/;

/**
 * A stateful GitHub fake for one repository, on 127.0.0.1 and a free port, backed by a real bare git
 * repository: git data, contents, compare, merges, pulls, labels, check runs, the two auto-merge GraphQL
 * mutations, App auth and signed webhooks, with GitHub's status codes and message bodies
 * (reference/github.md §2–§5). Every REST answer is checked against GitHub's published schema.
 */
export async function startFakeGitHub(
  ownerOrOptions: string | FakeGitHubOptions = {},
  repoName?: string,
): Promise<FakeGitHub> {
  const options =
    typeof ownerOrOptions === "string" ? { owner: ownerOrOptions, repo: repoName } : ownerOrOptions;
  const owner = options.owner ?? "acme";
  const repo = options.repo ?? "policy";
  const scratch = await mkdtemp(join(tmpdir(), "fake-github-"));
  const store = await FakeGitStore.create(join(scratch, "repo.git"));
  const state = new FakeRepoState(store);
  const log: LoggedRequest[] = [];
  const mismatches: string[] = [];
  const faults: FakeGitHubFaults = {};
  const app = options.app === undefined ? undefined : new FakeAppAuth(options.app);
  let web = "";
  const webhooks = new FakeWebhooks(
    {
      state,
      owner,
      repo,
      get url() {
        return web;
      },
      get web() {
        return web;
      },
      installationId: app?.installationId ?? 4242,
    },
    options.webhookSecret ?? "fake-webhook-secret",
  );
  const answer = (response: ServerResponse, reply: ReplyBody) => {
    const raw = Buffer.isBuffer(reply.body);
    const body = raw ? reply.body : reply.body === undefined ? "" : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      ...(raw ? { "content-type": "application/x-gzip" } : {}),
      ...(body === "" || raw ? {} : { "content-type": "application/json; charset=utf-8" }),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      ...reply.headers,
    });
    response.end(body);
  };
  const route = async (request: IncomingMessage, parsed: URL, body: unknown): Promise<ReplyBody> => {
    const method = request.method ?? "GET";
    const fault = injectedFault(faults, request);
    if (fault !== undefined) return fault;
    const enterprise = parsed.pathname.startsWith("/api/");
    const pathname = parsed.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const url = enterprise ? `${web}/api/v3` : web;
    const authorization = request.headers.authorization;
    const archive = /^\/_codeload\/([0-9a-f]{40})$/.exec(pathname);
    if (method === "GET" && archive !== null)
      return { status: 200, body: await store.archive(archive[1] ?? "", `${owner}-${repo}`) };
    if (app !== undefined) {
      const refused = APP_ROUTES.test(pathname)
        ? await app.checkJwt(authorization)
        : app.checkToken(authorization);
      if (refused !== undefined) return refused;
    }
    if (method === "POST" && (pathname === "/graphql" || parsed.pathname === "/api/graphql")) {
      const reply = await routeGraphql(state, body, mismatches);
      await state.runAutoMerges();
      return reply;
    }
    const tokens = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(pathname);
    if (app !== undefined && method === "POST" && tokens !== null) return app.mint(Number(tokens[1]));
    const prefix = `/repos/${owner}/${repo}`;
    if (app !== undefined && method === "GET" && pathname === `${prefix}/installation`)
      return app.installation({ owner, url });
    if (pathname.startsWith(`${prefix}/`)) {
      const rest = pathname.slice(prefix.length);
      const context = { state, owner, repo, url, web, method, rest, query: parsed.searchParams, body };
      const reply =
        (await routePullRequest(context)) ?? (await routeCheckRun({ ...context, appId: app?.appId ?? 1 }));
      if (reply !== undefined) {
        if (method !== "GET") await state.runAutoMerges();
        return reply;
      }
    }
    return routeGitHubRequest({
      store,
      faults,
      owner,
      repo,
      url,
      method,
      pathname,
      query: parsed.searchParams,
      body,
    });
  };
  /** A schema break becomes a 500, so no test passes on an answer GitHub would never give. */
  const checked = (method: string, pathname: string, reply: ReplyBody): ReplyBody => {
    const operation = operationOf(method, pathname.replace(/^\/api\/v3(?=\/)/, ""));
    if (operation === undefined) return reply;
    const mismatch = responseMismatch(operation, reply.status, reply.body);
    if (mismatch === undefined) return reply;
    mismatches.push(mismatch);
    return { status: 500, body: { message: `fake GitHub broke GitHub's schema: ${mismatch}` } };
  };
  const server = createServer((request, response) => {
    const parsed = new URL(request.url ?? "/", web);
    const method = request.method ?? "GET";
    const at = Date.now();
    if (faults.downUntil !== undefined && at < faults.downUntil) {
      response.socket?.resetAndDestroy();
      return;
    }
    // GitHub has the whole request before it acts, so a client that dies waiting for the answer (a
    // `beforeRequest` kill) still gets its request carried out, as on GitHub.
    readBody(request)
      .then(async (body) => {
        await faults.beforeRequest?.(method, decodeURIComponent(parsed.pathname));
        return route(request, parsed, body);
      })
      .catch((error: unknown) => ({ status: 500, body: { message: `fake GitHub failed: ${String(error)}` } }))
      .then((reply) => {
        const sent = checked(method, parsed.pathname, reply);
        log.push({
          method,
          path: decodeURIComponent(parsed.pathname),
          status: sent.status,
          query: parsed.search.slice(1),
          at,
        });
        answer(response, sent);
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  web = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: web,
    enterpriseUrl: `${web}/api/v3`,
    owner,
    repo,
    store,
    state,
    log,
    faults,
    pulls: state.pulls,
    app,
    webhooks,
    mismatches,
    close: async () => {
      await webhooks.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
