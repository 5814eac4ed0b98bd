/** Failures talking to the Pulsar admin REST API, wrapped at this edge so the CLI can say what to do. */

export class PulsarAdminError extends Error {
  override name = "PulsarAdminError";
  readonly status: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;

  constructor(
    init: { status: number; reason: string; method: string; path: string },
    options?: ErrorOptions,
  ) {
    super(
      `Pulsar answered ${init.status} to ${init.method} ${init.path}: ${init.reason}${adviceFor(init.status)}`,
      options,
    );
    this.status = init.status;
    this.reason = init.reason;
    this.method = init.method;
    this.path = init.path;
  }
}

export class PulsarConnectionError extends Error {
  override name = "PulsarConnectionError";
}

function adviceFor(status: number): string {
  if (status === 401 || status === 403)
    return " (insufficient rights: use a superuser token in PULSAR_TOKEN)";
  if (status === 501)
    return " (authorization is not enabled on the broker: enable it, grants mean nothing without it)";
  if (status === 409) return " (concurrent modification kept happening: apply again)";
  if (status >= 500) return " (a broker error: check the broker log, then apply again)";
  return "";
}

/**
 * Pulsar errors come as `{"reason": …}` JSON, as a `text/plain` stack trace (500) or as a servlet
 * container's HTML page (401 from the authentication filter): take the first useful line of any of them.
 */
export function readErrorReason(status: number, contentType: string, body: string): string {
  const trimmed = body.trim();
  if (contentType.includes("json") || trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === "object" && parsed !== null && "reason" in parsed) {
        const reason = parsed.reason;
        if (typeof reason === "string" && reason !== "") return reason;
      }
    } catch {
      // not JSON after all: fall through to the text forms
    }
  }
  if (contentType.includes("html") || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    if (title !== undefined && title !== "") return title;
    return status === 401 ? "Authentication required" : `an HTML error page (status ${status})`;
  }
  const firstLine = trimmed
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith("---"));
  if (firstLine !== undefined) return firstLine.slice(0, 300);
  return trimmed === "" ? `no reason given (status ${status})` : trimmed.slice(0, 300);
}
