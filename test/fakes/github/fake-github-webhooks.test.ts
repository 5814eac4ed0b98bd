import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import { fakeClient, pushDirectly, seedMain } from "../../repos/github/github-fixture.js";
import type { FakeGitHub } from "./fake-github.js";
import { startFakeGitHub } from "./fake-github.js";

const SECRET = "webhook-secret-for-tests";
let fake: FakeGitHub;
let received: { name: string; action: string | undefined; payload: Record<string, unknown> }[];
let closeReceiver: () => Promise<void>;

/** Probot's own webhook middleware on a real port: only correctly signed deliveries reach a handler. */
async function startProbotReceiver(): Promise<string> {
  // Probot logs every refused delivery with its whole payload; the refusals here are on purpose.
  const probot = new Probot({
    githubToken: "unused",
    secret: SECRET,
    Octokit: ProbotOctokit,
    logLevel: "fatal",
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.onAny((event) => {
        const payload = event.payload as Record<string, unknown>;
        const action = typeof payload["action"] === "string" ? payload["action"] : undefined;
        received.push({ name: event.name, action, payload });
      });
    },
    { probot },
  );
  const server = createServer((request, response) => {
    void middleware(request, response, () => {
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closeReceiver = () => new Promise((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
}

beforeEach(async () => {
  received = [];
  fake = await startFakeGitHub({ webhookSecret: SECRET });
  await seedMain(fake);
  await fake.webhooks.idle();
  fake.webhooks.deliveries.length = 0;
  fake.webhooks.url = await startProbotReceiver();
});

afterEach(async () => {
  await fake.close();
  await closeReceiver();
});

const names = () =>
  received.map((event) => `${event.name}${event.action === undefined ? "" : `.${event.action}`}`);

describe("the fake's signed webhooks", () => {
  it("follow the repository: push, opened, labeled, synchronize, closed, each accepted by Probot", async () => {
    const main = (await fake.store.ref("refs/heads/main")) ?? "";
    await fake.store.updateRef("refs/heads/e", main, "0".repeat(40));
    const pulls = new GitHubPullRequests(fakeClient(fake), { owner: fake.owner, repo: fake.repo });
    const pull = await pulls.open({ head: "e", base: "main", title: "Emergency", body: "" });
    await pulls.addLabels(pull.number, ["emergency-deprovision"]);
    const pushed = await pushDirectly(fake, "e", "policies/u.yaml", "u\n");
    await pulls.merge({ number: pull.number, sha: pushed, title: "t", message: "m" });
    await fake.webhooks.idle();
    expect(fake.webhooks.deliveries.map((delivery) => delivery.status)).toEqual(
      fake.webhooks.deliveries.map(() => 200),
    );
    expect(names()).toEqual([
      "push",
      "pull_request.opened",
      "pull_request.labeled",
      "push",
      "pull_request.synchronize",
      "push",
      "pull_request.closed",
    ]);
    const synchronize = received[4]?.payload as { after: string; pull_request: { head: { sha: string } } };
    expect(synchronize.pull_request.head.sha).toBe(pushed);
    expect(synchronize.after).toBe(pushed);
    const closed = received[6]?.payload as {
      pull_request: { merged: boolean };
      installation: { id: number };
    };
    expect(closed.pull_request.merged).toBe(true);
    expect(closed.installation.id).toBe(4242);
    expect((received[2]?.payload as { label: { name: string } }).label.name).toBe("emergency-deprovision");
  });

  it("sends check_run.rerequested and check_suite on request, naming the open PR at that head", async () => {
    const main = (await fake.store.ref("refs/heads/main")) ?? "";
    await fake.store.updateRef("refs/heads/e", main, "0".repeat(40));
    const pulls = new GitHubPullRequests(fakeClient(fake), { owner: fake.owner, repo: fake.repo });
    await pulls.open({ head: "e", base: "main", title: "Emergency", body: "" });
    const run = await pulls.createCheckRun({
      name: "revocation-guard",
      headSha: main,
      status: "completed",
      conclusion: "failure",
      title: "t",
      summary: "s",
    });
    await fake.webhooks.checkRun(
      "rerequested",
      fake.state.checkRuns.find((stored) => stored.id === run.id)!,
    );
    await fake.webhooks.checkSuite("completed", main, "e");
    await fake.webhooks.idle();
    const [rerequested, suite] = received.slice(-2);
    expect(rerequested).toMatchObject({
      name: "check_run",
      action: "rerequested",
      payload: { check_run: { id: run.id, name: "revocation-guard", head_sha: main } },
    });
    expect(
      (rerequested?.payload as { check_run: { pull_requests: { number: number }[] } }).check_run
        .pull_requests,
    ).toEqual([expect.objectContaining({ number: 1 })]);
    expect(suite).toMatchObject({
      name: "check_suite",
      action: "completed",
      payload: { check_suite: { head_sha: main } },
    });
  });

  it("is refused by Probot when signed with another secret", async () => {
    const wrong = await startFakeGitHub({ webhookSecret: "not-the-secret" });
    wrong.webhooks.url = fake.webhooks.url;
    try {
      await seedMain(wrong);
      await wrong.webhooks.idle();
      expect(wrong.webhooks.deliveries.map((delivery) => delivery.status)).toEqual([400]);
      expect(received).toEqual([]);
    } finally {
      await wrong.close();
    }
  });
});
