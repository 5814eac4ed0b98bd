/**
 * Probot's logger in GitHub mode: Probot, its Octokit clients and anything else that logs a request write
 * through the service's line writer, so no header that proves who is asking, no GitHub token and none of
 * the configured secrets reach the log, whoever logs them and however.
 */
import { describe, expect, it } from "vitest";
import { createProbotLogger } from "../../src/app/probot-logger.js";
import { Secret } from "../../src/secret.js";
import { createLineWriter } from "../../src/server/logger.js";
import { PRIVATE_KEY } from "./app-fixture.js";

function capture(level: "debug" | "info" = "debug") {
  const lines: string[] = [];
  const write = createLineWriter({
    write: (line) => lines.push(line),
    secrets: () => [new Secret("the-webhook-secret-value"), new Secret(PRIVATE_KEY)],
    now: () => new Date(0),
  });
  return { log: createProbotLogger({ write, level }), text: () => lines.join(""), lines };
}

describe("the Probot logger", () => {
  it("cuts credential headers wherever a request or response is logged", () => {
    const { log, text } = capture();
    log.info(
      {
        req: {
          method: "POST",
          url: "/api/github/webhooks",
          headers: {
            authorization: "Bearer scim-token-abcdef123456",
            cookie: "session=c00kie-value",
            "x-hub-signature": "sha1=0123456789abcdef0123",
            "x-hub-signature-256": "sha256=fedcba9876543210fedcba",
            "x-github-event": "push",
          },
        },
        res: { statusCode: 200, headers: { "set-cookie": "session=another-c00kie" } },
      },
      "request completed",
    );
    expect(text()).not.toMatch(/abcdef123456|c00kie|0123456789abcdef0123|fedcba9876543210/);
    expect(text()).toContain('"x-github-event":"push"');
    expect(text()).toMatch(/^1970-01-01T00:00:00\.000Z INFO request completed \{/);
  });

  it("cuts GitHub tokens, JWTs and the configured secrets out of messages and fields", () => {
    const { log, text } = capture();
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0NzExIn0.c2lnbmF0dXJlLXBhcnQ";
    log.warn(`token ghs_16C7e42F292c6912E7710c838347Ae178B4a refused; app jwt ${jwt}`);
    log.error({ err: new Error("secret the-webhook-secret-value rejected") }, "webhook failed");
    log.debug({ key: PRIVATE_KEY, note: PRIVATE_KEY.split("\n")[2] }, "key loaded");
    expect(text()).not.toContain("ghs_16C7e42F292c6912E7710c838347Ae178B4a");
    expect(text()).not.toContain(jwt);
    expect(text()).not.toContain("the-webhook-secret-value");
    for (const line of PRIVATE_KEY.split("\n").slice(1, -2)) expect(text()).not.toContain(line);
    expect(text()).toContain("ghs_[redacted]");
  });

  it("keeps Probot's names and levels, one line per entry, and drops debug below LOG_LEVEL", () => {
    const verbose = capture("debug");
    verbose.log.child({ name: "probot" }).debug("push event received (id: 1)");
    verbose.log.fatal("it broke\nFAKE 1970 ERROR forged");
    expect(verbose.lines).toEqual([
      "1970-01-01T00:00:00.000Z DEBUG probot: push event received (id: 1)\n",
      "1970-01-01T00:00:00.000Z ERROR it broke\\nFAKE 1970 ERROR forged\n",
    ]);
    const quiet = capture("info");
    quiet.log.debug("not shown");
    quiet.log.info("shown");
    expect(quiet.lines).toEqual(["1970-01-01T00:00:00.000Z INFO shown\n"]);
  });
});
