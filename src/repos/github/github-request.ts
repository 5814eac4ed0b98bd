import { redactCredentials } from "../../secret.js";
import { PolicyRepoError } from "../policy-repo.js";

/**
 * The one Octokit method the GitHub policy repository uses, typed structurally so any Octokit (Probot's
 * ProbotOctokit with throttling and retry, or a bare @octokit/core one) can be passed in.
 */
export interface GitHubClient {
  request(
    route: string,
    parameters?: Record<string, unknown>,
  ): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
}

/** A client that can also send GraphQL (Octokit's `graphql`, which finds GHES's `/api/graphql` itself). */
export interface GitHubGraphqlClient extends GitHubClient {
  graphql(query: string, parameters?: Record<string, unknown>): Promise<unknown>;
}

export interface GitHubResponse {
  readonly status: number;
  readonly data: unknown;
}

/** GitHub answered with a status this code has no meaning for; `status` is undefined when nothing answered. */
export class GitHubApiError extends PolicyRepoError {
  override name = "GitHubApiError";
  constructor(
    readonly route: string,
    readonly status: number | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A primary or secondary rate limit (reference/github.md §3). The caller's queue waits `retryAfterMs` and
 * tries again; this edge never sleeps itself, so a flush is not held inside one request.
 */
export class GitHubRateLimitError extends GitHubApiError {
  override name = "GitHubRateLimitError";
  constructor(
    route: string,
    status: number,
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(
      route,
      status,
      `GitHub rate limit hit on ${route} (${status}): wait ${Math.ceil(retryAfterMs / 1000)} s and try again; ` +
        `if it keeps happening, slow the writes down`,
      options,
    );
  }
}

interface FailureShape {
  status?: unknown;
  message?: unknown;
  response?: { data?: unknown; headers?: Record<string, unknown> };
}

/** GitHub's `message` in a response body, without credentials. */
export function bodyMessage(data: unknown): string {
  const message =
    typeof data === "object" && data !== null ? (data as { message?: unknown }).message : undefined;
  return redactCredentials(typeof message === "string" ? message : "no message");
}

/** GitHub's own `message` of a failed response, or the error's text, without credentials. */
export function failureMessage(error: unknown): string {
  const shape = (typeof error === "object" && error !== null ? error : {}) as FailureShape;
  const data = shape.response?.data;
  const fromBody =
    typeof data === "object" && data !== null && typeof (data as { message?: unknown }).message === "string"
      ? (data as { message: string }).message
      : undefined;
  const text = fromBody ?? (typeof shape.message === "string" ? shape.message : String(error));
  return redactCredentials(text);
}

function retryAfterMs(headers: Record<string, unknown>, now: number): number {
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return 60_000;
}

/**
 * The status GitHub answered with, or undefined when nothing answered: Octokit reports a failed `fetch`
 * (refused or reset connection, DNS, a "bad port", an abort) as status 500 with no response, which must
 * not read as GitHub's own 500.
 */
function answeredStatus(shape: FailureShape): number | undefined {
  if (typeof shape.status !== "number") return undefined;
  return shape.response === undefined && shape.status === 500 ? undefined : shape.status;
}

function isRateLimit(status: number, message: string, headers: Record<string, unknown>): boolean {
  if (status !== 403 && status !== 429) return false;
  return status === 429 || /rate limit/i.test(message) || headers["x-ratelimit-remaining"] === "0";
}

/**
 * Sends one request. Success, and the statuses in `handled` (which the caller gives a meaning), resolve;
 * everything else becomes a typed error whose `cause` is a credential-free copy of Octokit's error.
 */
export async function requestGitHub(
  client: GitHubClient,
  route: string,
  parameters: Record<string, unknown>,
  handled: readonly number[] = [],
): Promise<GitHubResponse> {
  try {
    const response = await client.request(route, parameters);
    return { status: response.status, data: response.data };
  } catch (error) {
    const shape = (typeof error === "object" && error !== null ? error : {}) as FailureShape;
    const status = answeredStatus(shape);
    const message = failureMessage(error);
    if (status !== undefined && handled.includes(status)) {
      return { status, data: shape.response?.data ?? { message } };
    }
    const cause = Object.assign(new Error(message), {
      name: error instanceof Error ? error.name : "Error",
      status,
    });
    const headers = shape.response?.headers ?? {};
    if (status !== undefined && isRateLimit(status, message, headers)) {
      throw new GitHubRateLimitError(route, status, retryAfterMs(headers, Date.now()), { cause });
    }
    throw new GitHubApiError(
      route,
      status,
      status === undefined
        ? `${route}: could not reach GitHub (${message}); check the network and the GitHub address (GHE_HOST for GitHub Enterprise Server)`
        : `${route}: GitHub answered ${status} (${message}); check the app's installation and permissions on the policy repository`,
      { cause },
    );
  }
}

/** One error of a GraphQL answer that came back 200 with `errors` (GitHub's UNPROCESSABLE, say). */
export interface GraphqlFailure {
  readonly type: string | undefined;
  readonly message: string;
}

/**
 * Sends one GraphQL operation (values only as variables). Resolves to its `data`, or to the errors GitHub
 * answered with so the caller can give them a meaning; transport and HTTP failures become typed errors.
 */
export async function requestGraphql(
  client: GitHubGraphqlClient,
  operation: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: unknown } | { errors: GraphqlFailure[] }> {
  try {
    return { data: await client.graphql(query, { ...variables, request: { retries: 0 } }) };
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors;
    const route = `graphql ${operation}`;
    if (error instanceof Error && error.name === "GraphqlResponseError" && Array.isArray(errors)) {
      // GitHub's GraphQL primary limit answers 200 with a RATE_LIMITED error (reference/github.md §3).
      if (errors.some((entry: { type?: unknown }) => entry.type === "RATE_LIMITED")) {
        const headers = (error as { headers?: Record<string, unknown> }).headers ?? {};
        throw new GitHubRateLimitError(route, 200, retryAfterMs(headers, Date.now()), {
          cause: new Error(failureMessage(error)),
        });
      }
      return {
        errors: errors.map((entry: { type?: unknown; message?: unknown }) => ({
          type: typeof entry.type === "string" ? entry.type : undefined,
          message: redactCredentials(typeof entry.message === "string" ? entry.message : "no message"),
        })),
      };
    }
    const shape = (typeof error === "object" && error !== null ? error : {}) as FailureShape;
    const status = answeredStatus(shape);
    const message = failureMessage(error);
    const cause = Object.assign(new Error(message), { name: error instanceof Error ? error.name : "Error" });
    const headers = shape.response?.headers ?? {};
    if (status !== undefined && isRateLimit(status, message, headers)) {
      throw new GitHubRateLimitError(route, status, retryAfterMs(headers, Date.now()), { cause });
    }
    throw new GitHubApiError(
      route,
      status,
      status === undefined
        ? `GraphQL ${operation}: could not reach GitHub (${message}); check the network and the GitHub address (GHE_HOST for GitHub Enterprise Server)`
        : `GraphQL ${operation}: GitHub failed (${message}); check the app's installation and permissions`,
      { cause },
    );
  }
}
