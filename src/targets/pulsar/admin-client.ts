import type { Secret } from "../../secret.js";
import { PulsarAdminError, PulsarConnectionError, readErrorReason } from "./admin-errors.js";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

export interface PulsarAdminClientOptions {
  /** `https://broker:8443`, with or without the trailing `/admin/v2`. */
  readonly adminUrl: string;
  readonly token: Secret | undefined;
  /** Hops of 307 followed by hand before giving up. */
  readonly maxRedirects?: number;
  /** Attempts on 409 Concurrent modification, the first included. */
  readonly conflictAttempts?: number;
  readonly conflictBackoffMs?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Admin REST v2 over `fetch` (reference §2.3). Redirects are followed by hand because Node's `fetch` drops
 * `Authorization` on a cross-origin 307 (reference §2.7.1), and a 409 is retried with backoff because
 * brokers answer it to concurrent writes of one namespace's policies (§2.7.3).
 */
export class PulsarAdminClient {
  readonly #base: string;
  readonly #token: Secret | undefined;
  readonly #maxRedirects: number;
  readonly #conflictAttempts: number;
  readonly #conflictBackoffMs: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  #writes = 0;

  constructor(options: PulsarAdminClientOptions) {
    this.#base = options.adminUrl.replace(/\/+$/, "").replace(/\/admin\/v2$/, "");
    this.#token = options.token;
    this.#maxRedirects = options.maxRedirects ?? 5;
    this.#conflictAttempts = options.conflictAttempts ?? 6;
    this.#conflictBackoffMs = options.conflictBackoffMs ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Write requests sent so far (retries and redirects included). */
  get writes(): number {
    return this.#writes;
  }

  async get(segments: readonly string[]): Promise<unknown> {
    const text = await this.request("GET", segments);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new PulsarConnectionError(
        `Pulsar answered GET ${pathOf(segments)} with something that is not JSON: check PULSAR_ADMIN_URL points at the admin API`,
        { cause: error },
      );
    }
  }

  async send(method: Exclude<HttpMethod, "GET">, segments: readonly string[], body?: unknown): Promise<void> {
    await this.request(method, segments, body);
  }

  private async request(method: HttpMethod, segments: readonly string[], body?: unknown): Promise<string> {
    const path = pathOf(segments);
    for (let attempt = 1; ; attempt++) {
      const response = await this.follow(method, path, body);
      const text = await response.text();
      if (response.ok) return text;
      const reason = this.redact(
        readErrorReason(response.status, response.headers.get("content-type") ?? "", text),
      );
      if (response.status === 409 && attempt < this.#conflictAttempts) {
        await this.#sleep(this.#conflictBackoffMs * 2 ** (attempt - 1));
        continue;
      }
      throw new PulsarAdminError({ status: response.status, reason, method, path });
    }
  }

  private async follow(method: HttpMethod, path: string, body: unknown): Promise<Response> {
    let url = `${this.#base}${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    const token = this.#token?.reveal();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let hop = 0; hop <= this.#maxRedirects; hop++) {
      if (method !== "GET") this.#writes++;
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method,
          headers,
          body: payload,
          redirect: "manual",
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        throw new PulsarConnectionError(
          `cannot reach the Pulsar admin API at ${new URL(url).origin} (${method} ${path}): check PULSAR_ADMIN_URL and that the broker is up`,
          { cause: error },
        );
      }
      if (response.status !== 307 && response.status !== 308) return response;
      const location = response.headers.get("location");
      await response.body?.cancel();
      if (location === null) {
        throw new PulsarAdminError({
          status: response.status,
          reason: "redirect without a Location",
          method,
          path,
        });
      }
      const next = new URL(location, url);
      if (new URL(url).protocol === "https:" && next.protocol !== "https:") {
        // The token travels with the redirect; never in clear text.
        throw new PulsarAdminError({
          status: response.status,
          reason: `redirect from https to ${next.origin} refused: it would send the token unencrypted; check the brokers' advertised addresses`,
          method,
          path,
        });
      }
      url = next.href;
    }
    throw new PulsarAdminError({
      status: 307,
      reason: `more than ${this.#maxRedirects} redirects: point PULSAR_ADMIN_URL at a Pulsar proxy`,
      method,
      path,
    });
  }

  /** A broker could echo a header back in an error; the token must never reach a log. */
  private redact(text: string): string {
    const token = this.#token?.reveal();
    return token === undefined || token === "" ? text : text.split(token).join("[redacted]");
  }
}

function pathOf(segments: readonly string[]): string {
  return `/admin/v2/${segments.map((segment) => encodeURIComponent(segment)).join("/")}`;
}
