/**
 * The SCIM rate limit is a setting (`SCIM_RATE_LIMIT`, requests/s, 0 = off): set low on `serve` as an
 * operator starts it, a burst past it gets SCIM 429s with `Retry-After`, never an HTML error.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runServeToExit, startServeProcess, type ServeProcess } from "./serve-process.js";

const TOKEN = "rate-limit-test-token-7f3a2b";
let scratch: string;
let serve: ServeProcess;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "serve-rate-limit-"));
  serve = await startServeProcess({
    dataDir: join(scratch, "data"),
    repoPath: join(scratch, "repo"),
    env: { SCIM_TOKEN: TOKEN, SCIM_RATE_LIMIT: "2" },
  });
});

afterAll(async () => {
  await serve.stop("SIGKILL");
  await rm(scratch, { recursive: true, force: true });
});

describe("SCIM_RATE_LIMIT", () => {
  it("answers a burst past the limit with SCIM 429s that say when to retry", async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${serve.scimUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${TOKEN}` } }),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    // 2/s with bursts of twice that: at most 4 (and a token refilled meanwhile) get through.
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(7);
    for (const reply of refused) {
      expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(reply.headers.get("content-type")).toMatch(/json/);
      expect(await reply.json()).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "429",
        detail: expect.stringMatching(/retry after \d+ s/) as unknown,
      });
    }
  });

  it("refuses to start on a value that is not a rate, saying what to give", () => {
    const result = runServeToExit(["--data", join(scratch, "other"), "--repo", join(scratch, "other-repo")], {
      SCIM_RATE_LIMIT: "fast",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SCIM_RATE_LIMIT=fast is not a rate");
    expect(result.stderr).toContain("or 0 for no limit");
  });
});
