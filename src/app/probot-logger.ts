import type { DestinationStream, Logger as PinoLogger } from "pino";
import { pino } from "pino";
import type { GitHubLogLevel } from "../config-github.js";
import type { LineLevel, LineWriter } from "../server/logger.js";

/**
 * Headers that carry a credential or a proof of one. Probot's HTTP access log (pino-http, used by its
 * `Server`) writes every request header (reference/github.md §1), so they are cut on the logger itself,
 * whoever logs a request or a response.
 */
const SECRET_HEADERS = [
  "authorization",
  "cookie",
  '"set-cookie"',
  '"x-hub-signature"',
  '"x-hub-signature-256"',
];
export const REDACTED_PATHS = SECRET_HEADERS.flatMap((header) => [
  `headers.${header}`,
  `req.headers.${header}`,
  `res.headers.${header}`,
  `request.headers.${header}`,
  `*.headers.${header}`,
  `*.request.headers.${header}`,
]);

const LEVELS: Record<number, LineLevel> = {
  10: "debug",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "error",
};

/**
 * The pino logger Probot and its Octokit clients log through (its `Logger` type is pino's). Every entry is
 * written by the service's own line writer, so Probot's lines share the service's format and its redaction
 * (Authorization values, GitHub tokens, JWTs, the configured secrets), on top of pino's own header redaction.
 */
export function createProbotLogger(options: {
  readonly write: LineWriter;
  readonly level: GitHubLogLevel;
}): PinoLogger {
  const destination: DestinationStream = {
    write(line: string) {
      const entry = parseEntry(line);
      if (entry === undefined) return;
      const { level, msg, name, err, ...fields } = entry;
      const message = `${typeof name === "string" ? `${name}: ` : ""}${typeof msg === "string" ? msg : ""}`;
      const rest = { ...fields, ...(err === undefined ? {} : { error: errorFields(err) }) };
      options.write(
        LEVELS[typeof level === "number" ? level : 30] ?? "info",
        message,
        Object.keys(rest).length === 0 ? undefined : rest,
      );
    },
  };
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: false,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}

function parseEntry(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An error's kind, message and HTTP status; its request and response (headers, bodies) stay out. */
function errorFields(err: unknown): Record<string, unknown> {
  if (typeof err !== "object" || err === null) return { message: String(err) };
  const { type, message, status } = err as { type?: unknown; message?: unknown; status?: unknown };
  return { type, message, ...(typeof status === "number" ? { status } : {}) };
}
