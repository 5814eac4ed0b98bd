/**
 * The App's webhook routing, the Probot way (probot/probot:docs/testing.md): Probot built as GitHub mode
 * builds it, the App loaded, GitHub's recorded deliveries from @octokit/webhooks-examples through
 * `probot.receive`, and over real HTTP through `createNodeMiddleware` for the signature. nock refuses every
 * connection off the loopback, so a handler that reached for GitHub would fail the test.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import nock from "nock";
import { createNodeMiddleware } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import scimGitopsApp from "../../src/app.js";
import { ACCESS_DIFF_CHECK, REVOCATION_GUARD_CHECK } from "../../src/proposals/github/pull-request-checks.js";
import {
  examplePayload,
  loadedApp,
  recordingDependencies,
  unitProbot,
  WEBHOOK_SECRET,
} from "./app-fixture.js";

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const receive = (
  probot: Awaited<ReturnType<typeof loadedApp>>["probot"],
  name: string,
  payload: Record<string, unknown>,
) => probot.receive({ id: randomUUID(), name, payload } as unknown as EmitterWebhookEvent);

describe("push", () => {
  it("to the base branch makes the proposer look at main now; to any other branch or a tag, nothing", async () => {
    const deps = recordingDependencies();
    const { probot, log } = await loadedApp(deps);
    await receive(probot, "push", examplePayload("push", undefined, { ref: "refs/heads/main" }));
    expect(deps.calls).toEqual(["main"]);
    await receive(probot, "push", examplePayload("push", undefined, { ref: "refs/heads/scim-gitops/sync" }));
    await receive(probot, "push", examplePayload("push", undefined, { ref: "refs/heads/main-old" }));
    await receive(probot, "push", examplePayload("push", undefined, { ref: "refs/tags/main" }));
    expect(deps.calls).toEqual(["main"]);
    expect(log.text()).toContain("ignoring push");
    expect(log.text()).toContain("to refs/heads/scim-gitops/sync: not main");
  });

  it("to another repository's main is ignored with a debug line", async () => {
    const deps = recordingDependencies();
    const { probot, log } = await loadedApp(deps);
    const payload = examplePayload("push", undefined, { ref: "refs/heads/main" }, "acme/other-service");
    await receive(probot, "push", payload);
    expect(deps.calls).toEqual([]);
    const line = log.lines.find((entry) => entry.text.includes("ignoring push"));
    expect(line?.level).toBe("debug");
    expect(line?.text).toContain("it is for acme/other-service, not POLICY_REPO acme/policy");
  });

  it("matches POLICY_REPO case-insensitively, as GitHub names do", async () => {
    const deps = recordingDependencies();
    const { probot } = await loadedApp(deps);
    await receive(
      probot,
      "push",
      examplePayload("push", undefined, { ref: "refs/heads/main" }, "ACME/Policy"),
    );
    expect(deps.calls).toEqual(["main"]);
  });
});

describe("pull_request", () => {
  it("queues the checks when the head or the labels change, and not for other actions", async () => {
    const deps = recordingDependencies();
    const { probot } = await loadedApp(deps);
    for (const action of [
      "opened",
      "synchronize",
      "reopened",
      "labeled",
      "unlabeled",
      "closed",
      "assigned",
    ]) {
      const payload = examplePayload("pull_request", action);
      const pull = payload["pull_request"] as Record<string, unknown>;
      payload["pull_request"] = { ...pull, number: 40 + action.length };
      await receive(probot, "pull_request", payload);
    }
    // opened 46, synchronize 51, reopened 48, labeled 47, unlabeled 49; closed and assigned nothing.
    expect(deps.calls).toEqual([46, 51, 48, 47, 49]);
  });

  it("for another repository queues nothing", async () => {
    const deps = recordingDependencies();
    const { probot, log } = await loadedApp(deps);
    await receive(probot, "pull_request", examplePayload("pull_request", "opened", {}, "someone/else"));
    expect(deps.calls).toEqual([]);
    expect(log.text()).toContain("not POLICY_REPO acme/policy");
  });
});

describe("check_suite and check_run", () => {
  it("checks every pull request of a requested or re-requested suite", async () => {
    const deps = recordingDependencies();
    const { probot } = await loadedApp(deps);
    for (const action of ["requested", "rerequested", "completed"]) {
      const payload = examplePayload("check_suite", action);
      const suite = payload["check_suite"] as Record<string, unknown>;
      payload["check_suite"] = { ...suite, pull_requests: [{ number: 3 }, { number: 9 }] };
      await receive(probot, "check_suite", payload);
    }
    expect(deps.calls).toEqual([3, 9, 3, 9]);
  });

  it("answers a re-run of its own checks only", async () => {
    const deps = recordingDependencies();
    const { probot, log } = await loadedApp(deps);
    for (const name of [REVOCATION_GUARD_CHECK, ACCESS_DIFF_CHECK, "plan", "Octocoders-linter"]) {
      const payload = examplePayload("check_run", "rerequested");
      const run = payload["check_run"] as Record<string, unknown>;
      payload["check_run"] = { ...run, name, pull_requests: [{ number: 12 }] };
      await receive(probot, "check_run", payload);
    }
    expect(deps.calls).toEqual([12, 12]);
    expect(log.text()).toContain("plan is not one of the App's checks");
  });
});

describe("webhooks over HTTP", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
  });

  async function serveApp() {
    const deps = recordingDependencies();
    const { probot, log } = unitProbot();
    const middleware = await createNodeMiddleware(scimGitopsApp(deps), {
      probot,
      webhooksPath: "/api/github/webhooks",
    });
    server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
    const deliver = (body: string, signature: string | undefined) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": randomUUID(),
          ...(signature === undefined ? {} : { "x-hub-signature-256": signature }),
        },
        body,
      });
    return { deps, log, deliver };
  }

  const sign = (secret: string, body: string) =>
    `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

  it("refuses a delivery signed with another secret, or unsigned, and runs no handler", async () => {
    const { deps, log, deliver } = await serveApp();
    const body = JSON.stringify(examplePayload("push", undefined, { ref: "refs/heads/main" }));
    const forged = await deliver(body, sign("development", body));
    expect([400, 401]).toContain(forged.status);
    expect(await forged.text()).toMatch(/signature does not match/);
    const unsigned = await deliver(body, undefined);
    expect([400, 401]).toContain(unsigned.status);
    const tampered = await deliver(
      body.replace("refs/heads/main", "refs/heads/mainx"),
      sign(WEBHOOK_SECRET, body),
    );
    expect([400, 401]).toContain(tampered.status);
    expect(deps.calls).toEqual([]);
    // The refusal is logged for the operator, without the signature it carried.
    expect(log.text()).toMatch(/signature does not match/);
    expect(log.text()).not.toContain(sign("development", body).slice(7));

    const genuine = await deliver(body, sign(WEBHOOK_SECRET, body));
    expect(genuine.status).toBe(200);
    expect(deps.calls).toEqual(["main"]);
  });
});
