import { createPrivateKey, generateKeyPairSync } from "node:crypto";
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

describe("loadConfig in GitHub mode", () => {
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const base = {
    APP_ID: "4711",
    PRIVATE_KEY: pem,
    WEBHOOK_SECRET: "a-webhook-secret-of-some-length",
    POLICY_REPO: "acme/access-policy",
  };
  const github = (env: Record<string, string | undefined>) => loadConfig(env).github();

  it("is off without an App id or a key, and reads Probot's variables and the policy's place when set", () => {
    expect(github({ POLICY_REPO: "acme/access-policy", WEBHOOK_SECRET: "x" })).toBeUndefined();
    const config = github(base);
    expect(config).toMatchObject({
      appId: 4711,
      webhookPath: "/api/github/webhooks",
      apiUrl: "https://api.github.com",
      enterpriseHost: undefined,
      owner: "acme",
      repo: "access-policy",
      baseBranch: "main",
      policyDir: "policies",
      logLevel: "info",
    });
    expect(config?.webhookSecret.reveal()).toBe(base.WEBHOOK_SECRET);
    expect(
      github({
        ...base,
        WEBHOOK_PATH: "/hooks/github",
        POLICY_BASE_BRANCH: "release/2026",
        POLICY_DIR: "/access/",
        LOG_LEVEL: "DEBUG",
      }),
    ).toMatchObject({
      webhookPath: "/hooks/github",
      baseBranch: "release/2026",
      policyDir: "access",
      logLevel: "debug",
    });
  });

  it("takes GitHub Enterprise Server's API at GHE_PROTOCOL://GHE_HOST/api/v3", () => {
    expect(github({ ...base, GHE_HOST: "github.example.com" })?.apiUrl).toBe(
      "https://github.example.com/api/v3",
    );
    expect(github({ ...base, GHE_HOST: "127.0.0.1:8443", GHE_PROTOCOL: "http" })).toMatchObject({
      apiUrl: "http://127.0.0.1:8443/api/v3",
      enterpriseHost: "127.0.0.1:8443",
    });
    expect(() => github({ ...base, GHE_HOST: "https://github.example.com" })).toThrow(
      "GHE_HOST=https://github.example.com is not a host name: set the server's name alone",
    );
    expect(() => github({ ...base, GHE_HOST: "ghe", GHE_PROTOCOL: "ftp" })).toThrow(
      "GHE_PROTOCOL=ftp is not known",
    );
  });

  it("reads the private key as Probot does: PEM, base64 of it, \\n-escaped, flattened, or from PRIVATE_KEY_PATH", () => {
    const file = join(dir, "app.pem");
    writeFileSync(file, pem);
    const forms = [
      pem,
      Buffer.from(pem).toString("base64"),
      pem.replace(/\n/g, "\\n"),
      pem.replace(/\n/g, " "),
    ];
    for (const form of forms) {
      const key = github({ ...base, PRIVATE_KEY: form })?.privateKey.reveal() ?? "";
      expect(createPrivateKey(key).export({ type: "pkcs1", format: "pem" })).toBe(pem);
    }
    const fromFile = github({ ...base, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: file });
    expect(fromFile?.privateKey.reveal()).toBe(pem);
    const pkcs8 = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(github({ ...base, PRIVATE_KEY: pkcs8 })?.privateKey.reveal()).toBe(pkcs8);
  });

  it("refuses to start without a webhook secret, or with Probot's placeholder, rather than accept forged webhooks", () => {
    for (const secret of [undefined, "", "   "]) {
      expect(() => github({ ...base, WEBHOOK_SECRET: secret })).toThrow(
        /GitHub mode cannot start: WEBHOOK_SECRET is not set: set it to the App's webhook secret/,
      );
    }
    expect(() => github({ ...base, WEBHOOK_SECRET: "development" })).toThrow(
      /Probot's placeholder "development"/,
    );
  });

  it("says what to set when GitHub mode is half set up, every problem in one message", () => {
    expect(() => github({ APP_ID: "4711" })).toThrow(ConfigError);
    const message = (() => {
      try {
        github({ APP_ID: "my-app", POLICY_REPO: "acme", POLICY_BASE_BRANCH: "a..b" });
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toContain("APP_ID=my-app is not an App id");
    expect(message).toContain("no private key: set PRIVATE_KEY to the App's key, or PRIVATE_KEY_PATH");
    expect(message).toContain("WEBHOOK_SECRET is not set");
    expect(message).toContain("POLICY_REPO=acme is not owner/name: set it like acme/access-policy");
    expect(message).toContain("POLICY_BASE_BRANCH=a..b is not a branch name");
    expect(() => github({ ...base, POLICY_REPO: undefined })).toThrow(
      "POLICY_REPO is not set: set it to the policy repository as owner/name",
    );
    expect(() => github({ PRIVATE_KEY: pem })).toThrow("APP_ID is not set");
    expect(() => github({ ...base, PRIVATE_KEY_PATH: "/x.pem" })).toThrow(
      "both PRIVATE_KEY and PRIVATE_KEY_PATH are set",
    );
  });

  it("names a bad key's variable without quoting the key", () => {
    // Cut short: the PEM's DER body ends halfway, which no parser accepts.
    const lines = pem.trim().split("\n");
    const broken = [...lines.slice(0, Math.floor(lines.length / 2)), lines.at(-1)].join("\n");
    const read = () => github({ ...base, PRIVATE_KEY: broken });
    expect(read).toThrow("PRIVATE_KEY is not an RSA private key: paste the App's .pem file whole");
    expect(() => read()).not.toThrow(broken.split("\n")[1] ?? "");
    const file = join(dir, "not-a-key.pem");
    writeFileSync(file, "hello\n");
    expect(() => github({ ...base, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: file })).toThrow(
      `PRIVATE_KEY_PATH names ${file}, which holds no RSA private key`,
    );
    expect(() =>
      github({ ...base, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(dir, "missing.pem") }),
    ).toThrow("which cannot be read: check the path");
  });

  it("never shows the key or the webhook secret when printed or serialised", () => {
    const config = github(base);
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 5 })}`;
    expect(shown).not.toContain(base.WEBHOOK_SECRET);
    expect(shown).not.toContain(pem.split("\n")[1]);
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
