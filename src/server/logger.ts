/**
 * The service's logger. Redaction lives here, on the logger itself (DESIGN §4), so no caller can leak a
 * credential by logging a header, an error or a message that quotes one: bearer tokens, Authorization
 * values, fields named like credentials and every currently valid SCIM token are replaced before a line
 * is written.
 */
import type { Secret } from "../secret.js";
import { redactCredentials } from "../secret.js";

export type LogLevel = "info" | "warn" | "error";
/** The line writer also takes Probot's debug lines (LOG_LEVEL=debug). */
export type LineLevel = "debug" | LogLevel;
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly write: (line: string) => void;
  /** Values that must never appear, looked up at each line (tokens rotate). */
  readonly secrets?: () => readonly Secret[];
  readonly now?: () => Date;
}

const REDACTED = "[redacted]";
const CREDENTIAL_KEY =
  /authorization|token|password|secret|private.?key|seed|creds|credential|cookie|signature/i;

/** Writes one redacted line per entry; the service logger and Probot's both go through it. */
export type LineWriter = (level: LineLevel, message: string, fields?: LogFields) => void;

export function createLineWriter(options: LoggerOptions): LineWriter {
  const now = options.now ?? (() => new Date());
  return (level, message, fields) => {
    const rendered = fields === undefined ? "" : ` ${JSON.stringify(redactFields(fields))}`;
    const text = `${now().toISOString()} ${level.toUpperCase()} ${message}${rendered}`;
    options.write(`${redactText(text, options.secrets?.() ?? []).replace(/\n/g, "\\n")}\n`);
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const line = createLineWriter(options);
  return {
    info: (message, fields) => line("info", message, fields),
    warn: (message, fields) => line("warn", message, fields),
    error: (message, fields) => line("error", message, fields),
  };
}

function redactText(text: string, secrets: readonly Secret[]): string {
  let redacted = redactCredentials(text);
  for (const secret of secrets) {
    const value = secret.reveal();
    // A very short value would redact ordinary words; tokens are long. A multi-line secret (a PEM key) is
    // also looked for line by line, since a line of it alone is still part of the key.
    if (value.length >= 8) redacted = redacted.split(value).join(REDACTED);
    for (const part of value.split("\n")) {
      if (part.length >= 16 && part !== value) redacted = redacted.split(part).join(REDACTED);
    }
  }
  return redacted;
}

function redactFields(value: unknown, depth = 0): unknown {
  if (depth > 5) return "…";
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((entry) => redactFields(entry, depth + 1));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [
      key,
      CREDENTIAL_KEY.test(key) ? REDACTED : redactFields(entry, depth + 1),
    ]),
  );
}
