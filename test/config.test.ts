import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const dir = mkdtempSync(join(tmpdir(), "scim-gitops-config-"));

describe("loadConfig", () => {
  it("accepts several SCIM tokens at once, from the variable or a file", () => {
    expect(
      loadConfig({ SCIM_TOKEN: " one, two ,," })
        .scimTokens()
        .map((t) => t.reveal()),
    ).toEqual(["one", "two"]);
    const file = join(dir, "tokens");
    writeFileSync(file, "alpha\nbeta\n");
    expect(
      loadConfig({ SCIM_TOKEN_FILE: file })
        .scimTokens()
        .map((t) => t.reveal()),
    ).toEqual(["alpha", "beta"]);
  });

  it("trims a token file but keeps a creds file's layout", () => {
    const token = join(dir, "pulsar-token");
    writeFileSync(token, "eyJ.token.sig\n");
    const creds = join(dir, "nats.creds");
    writeFileSync(creds, "-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------\n");
    const config = loadConfig({ PULSAR_ADMIN_URL: "http://pulsar:8080", PULSAR_TOKEN_FILE: token });
    expect(config.pulsar()?.token?.reveal()).toBe("eyJ.token.sig");
    expect(loadConfig({ NATS_URL: "nats://x", NATS_CREDS: creds }).nats()?.creds?.reveal()).toBe(
      "-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------\n",
    );
  });

  it("names the variable and path of an unreadable file, and what to do", () => {
    const missing = join(dir, "nope");
    const read = () => loadConfig({ PULSAR_ADMIN_URL: "http://p", PULSAR_TOKEN_FILE: missing }).pulsar();
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`PULSAR_TOKEN_FILE names ${missing}, which cannot be read: check the path`);
  });

  it("never shows a credential when printed, logged or serialised", () => {
    const pulsar = loadConfig({ PULSAR_ADMIN_URL: "http://p", PULSAR_TOKEN: "s3cr3t-value" }).pulsar();
    expect(JSON.stringify(pulsar)).not.toContain("s3cr3t-value");
    expect(inspect(pulsar, { depth: 5 })).not.toContain("s3cr3t-value");
    expect(`${String(pulsar?.token)}`).toBe("[redacted]");
  });

  it("refuses a PORT that is not a port number", () => {
    expect(() => loadConfig({ PORT: "http" })).toThrow("PORT=http is not a port number");
    expect(loadConfig({ PORT: "0" }).port).toBe(0);
  });
});

describe("SCIM_RATE_LIMIT", () => {
  it("defaults to 2,000 requests/s, takes a whole number, and 0 for no limit", () => {
    expect(loadConfig({}).scimRateLimit).toBe(2_000);
    expect(loadConfig({ SCIM_RATE_LIMIT: "250" }).scimRateLimit).toBe(250);
    expect(loadConfig({ SCIM_RATE_LIMIT: "0" }).scimRateLimit).toBe(0);
    for (const bad of ["-1", "1.5", "lots"]) {
      expect(() => loadConfig({ SCIM_RATE_LIMIT: bad })).toThrow(`SCIM_RATE_LIMIT=${bad} is not a rate`);
    }
  });
});
