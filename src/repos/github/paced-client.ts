import { setTimeout as delay } from "node:timers/promises";
import type { GitHubGraphqlClient } from "./github-request.js";

export interface PacingOptions {
  /** Content-creating requests allowed in any 60 s window (GitHub's secondary limit is 80; default 60). */
  readonly perMinute?: number;
  /** Milliseconds on a clock that only moves forward. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const WINDOW_MS = 60_000;
const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);
/** A GraphQL document whose first operation is a mutation, after any comments. */
const MUTATION = /^\s*(?:#[^\n]*\n\s*)*mutation\b/;

/**
 * Keeps content-creating requests (REST writes and GraphQL mutations) under GitHub's secondary limit of 80
 * a minute (reference/github.md §3) with a sliding-window budget rather than fixed spacing: a burst of a
 * few writes (an emergency's tree, commit, ref, PR, label and merge) goes out at once, and only a sustained
 * stream (an import) waits for the window to slide. Reads are never held. This takes the place of Probot's
 * throttle plugin, whose 1 s/3 s spacing would cost an emergency 5–8 s.
 */
export function pacedClient(client: GitHubGraphqlClient, options: PacingOptions = {}): GitHubGraphqlClient {
  const perMinute = Math.max(1, options.perMinute ?? 60);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  /** When each write of the last window went out, oldest first. */
  const sent: number[] = [];
  let turn: Promise<void> = Promise.resolve();

  const takeSlot = async (): Promise<void> => {
    for (;;) {
      const at = now();
      while (sent.length > 0 && (sent[0] ?? 0) <= at - WINDOW_MS) sent.shift();
      if (sent.length < perMinute) {
        sent.push(at);
        return;
      }
      await sleep((sent[0] ?? at) + WINDOW_MS - at);
    }
  };
  // One writer at a time takes a slot, so two callers waiting on a full window cannot both slip in.
  const reserve = (): Promise<void> => {
    const mine = turn.then(takeSlot);
    turn = mine.catch(() => undefined);
    return mine;
  };

  return {
    async request(route, parameters) {
      if (isContentCreating(route, parameters)) await reserve();
      return client.request(route, parameters);
    },
    async graphql(query, parameters) {
      if (MUTATION.test(query)) await reserve();
      return client.graphql(query, parameters);
    },
  };
}

/**
 * Octokit routes are `METHOD /path`; a bare path is a GET unless `parameters.method` says otherwise. A
 * GraphQL document sent through `request` counts only when it is a mutation, as through `graphql`.
 */
function isContentCreating(route: string, parameters: Record<string, unknown> | undefined): boolean {
  const explicit = parameters?.["method"];
  const method = (typeof explicit === "string" ? explicit : /^([A-Za-z]+) /.exec(route)?.[1])?.toUpperCase();
  if (method === undefined || !WRITE_METHODS.has(method)) return false;
  const query = parameters?.["query"];
  if (/\/graphql$/.test(route) && typeof query === "string") return MUTATION.test(query);
  return true;
}
