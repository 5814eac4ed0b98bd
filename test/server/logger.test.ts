import { describe, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import { createLogger } from "../../src/server/logger.js";

function capture(secrets: Secret[] = []) {
  const lines: string[] = [];
  const log = createLogger({
    write: (line) => lines.push(line),
    secrets: () => secrets,
    now: () => new Date(0),
  });
  return { log, text: () => lines.join("") };
}

describe("the service logger", () => {
  it("never writes an Authorization header, a bearer token or a configured token", () => {
    const { log, text } = capture([new Secret("s3cr3t-token-value")]);
    log.info("request", { headers: { authorization: "Bearer abcdef123456", host: "scim.example" } });
    log.warn("client sent Authorization: Bearer zyxw98765 and Basic dXNlcjpwYXNz");
    log.error("token s3cr3t-token-value rejected", { error: new Error("bad s3cr3t-token-value") });
    log.info("fields", { token: "t0k3n", password: "p4ss", nested: { PRIVATE_KEY: "k3y" } });
    log.info("nats", { issuerSeed: "SAISSUERSEED", natsCreds: "-----BEGIN NATS USER JWT-----" });
    expect(text()).not.toMatch(
      /abcdef123456|zyxw98765|dXNlcjpwYXNz|s3cr3t-token-value|t0k3n|p4ss|k3y|SAISSUERSEED|BEGIN NATS/,
    );
    expect(text()).toContain('"host":"scim.example"');
    expect(text()).toContain("Bearer [redacted]");
  });

  it("writes one line per entry, so a message cannot forge another", () => {
    const { log, text } = capture();
    log.info("first\n1970-01-01T00:00:00.000Z ERROR forged");
    expect(
      text()
        .split("\n")
        .filter((line) => line !== ""),
    ).toHaveLength(1);
  });
});
