import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGitStore } from "./fake-git-store.js";
import type { FakePull } from "./fake-github-pulls.js";
import { routePullRequest } from "./fake-github-pulls.js";
import { routeGitHubRequest } from "./fake-github-routes.js";

export interface LoggedRequest {
  readonly method: string;
  /** The decoded path, without the query. */
  readonly path: string;
  readonly status: number;
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
}

export interface FakeGitHub {
  /** The API base URL (`baseUrl` for Octokit). */
  readonly url: string;
  readonly owner: string;
  readonly repo: string;
  readonly store: FakeGitStore;
  readonly log: LoggedRequest[];
  readonly faults: FakeGitHubFaults;
  /** Pull requests by number; set `blockedBy` on one to make GitHub refuse its merge with a 405. */
  readonly pulls: Map<number, FakePull>;
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

/**
 * A stateful GitHub REST fake for one repository, on 127.0.0.1 and a free port, backed by a real bare git
 * repository. It models only the git-data, contents, compare, merges and pulls endpoints the GitHub policy
 * repository uses, with GitHub's status codes and message bodies (reference/github.md §2, §3, §5).
 */
export async function startFakeGitHub(owner = "acme", repo = "policy"): Promise<FakeGitHub> {
  const scratch = await mkdtemp(join(tmpdir(), "fake-github-"));
  const store = await FakeGitStore.create(join(scratch, "repo.git"));
  const log: LoggedRequest[] = [];
  const faults: FakeGitHubFaults = {};
  const pulls = new Map<number, FakePull>();
  let url = "";
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
  const server = createServer((request, response) => {
    const parsed = new URL(request.url ?? "/", url);
    const path = decodeURIComponent(parsed.pathname);
    const method = request.method ?? "GET";
    const handle = async (): Promise<ReplyBody> => {
      const fault = injectedFault(faults, request);
      if (fault !== undefined) return fault;
      const body = await readBody(request);
      const archive = /^\/_codeload\/([0-9a-f]{40})$/.exec(parsed.pathname);
      if (method === "GET" && archive !== null)
        return { status: 200, body: await store.archive(archive[1] ?? "", `${owner}-${repo}`) };
      const prefix = `/repos/${owner}/${repo}`;
      if (parsed.pathname.startsWith(`${prefix}/pulls`)) {
        const rest = parsed.pathname.slice(prefix.length);
        const pull = await routePullRequest({ store, pulls, owner, repo, url, method, rest, body });
        if (pull !== undefined) return pull;
      }
      return routeGitHubRequest({
        store,
        faults,
        owner,
        repo,
        url,
        method,
        pathname: parsed.pathname,
        query: parsed.searchParams,
        body,
      });
    };
    handle()
      .catch((error: unknown) => ({ status: 500, body: { message: `fake GitHub failed: ${String(error)}` } }))
      .then((reply) => {
        log.push({ method, path, status: reply.status });
        answer(response, reply);
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    owner,
    repo,
    store,
    log,
    faults,
    pulls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
