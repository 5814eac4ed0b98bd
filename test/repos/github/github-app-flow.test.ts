import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import {
  findInstallationId,
  installationClient,
  InstallationTokens,
} from "../../../src/repos/github/github-installation.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, seedMain } from "./github-fixture.js";

const APP_ID = 4711;
const SECRET = "flow-webhook-secret";
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privateKey = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const name = { owner: "acme", repo: "policy" };

let fake: FakeGitHub | undefined;
let closeReceiver: (() => Promise<void>) | undefined;

afterEach(async () => {
  await fake?.close();
  await closeReceiver?.();
});

/** A Probot app, as issue 12's App will be, posting `revocation-guard` on every PR head it hears of. */
async function startGuardApp(github: FakeGitHub, baseUrl: string): Promise<string> {
  const Octokit = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
    ...defaults,
    retry: { enabled: false },
    throttle: { enabled: false },
  }));
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    Octokit,
    baseUrl,
    logLevel: "fatal",
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on(["pull_request.opened", "pull_request.synchronize"], async (context) => {
        const pulls = new GitHubPullRequests(context.octokit, name);
        await pulls.createCheckRun({
          name: "revocation-guard",
          headSha: context.payload.pull_request.head.sha,
          status: "completed",
          conclusion: "success",
          title: "Revocation only",
          summary: "bob loses every grant",
        });
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
  github.webhooks.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  return github.webhooks.url;
}

describe.each([
  ["github.com", false],
  ["GitHub Enterprise Server", true],
])("on %s: emergency.merge auto with a required check", (_host, enterprise) => {
  it("opens, labels and arms the PR; the App's check on the opened webhook turns green and auto-merge carries it", async () => {
    const github = await startFakeGitHub({
      app: { id: APP_ID, publicKey: keys.publicKey, installationId: 4242 },
      webhookSecret: SECRET,
    });
    fake = github;
    const main = await seedMain(github);
    github.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
    const tree = (await github.store.commit(main))?.tree ?? "";
    const head = await github.store.writeCommit(tree, [main], "Revoke bob\n");
    await github.store.updateRef("refs/heads/scim-gitops/emergency/bob", head, "0".repeat(40));
    await github.webhooks.idle();
    github.webhooks.deliveries.length = 0;
    await startGuardApp(github, enterprise ? github.enterpriseUrl : github.url);

    const app = fakeClient(github, { auth: { appId: APP_ID, privateKey }, enterprise });
    const tokens = new InstallationTokens({
      appClient: app,
      installationId: await findInstallationId(app, name),
    });
    const pulls = new GitHubPullRequests(
      installationClient(fakeClient(github, { auth: false, enterprise }), tokens),
      name,
    );
    // The App hears of the PR only after it is armed, so auto-merge, not the bot, has to merge it.
    github.webhooks.pause();
    const pull = await pulls.open({
      head: "scim-gitops/emergency/bob",
      base: "main",
      title: "Emergency deprovision: bob",
      body: "",
    });
    await pulls.addLabels(pull.number, ["emergency-deprovision"]);
    const outcome = await pulls.enableAutoMerge({
      number: pull.number,
      sha: head,
      title: "Emergency deprovision: bob",
      message: "SCIM-Operation: PATCH User 7",
    });
    expect(outcome).toBe("armed");
    expect(await pulls.get(pull.number)).toMatchObject({ state: "open", autoMerge: true });
    github.webhooks.resume();
    await github.webhooks.idle();

    expect(github.state.checkRuns).toEqual([
      expect.objectContaining({ name: "revocation-guard", headSha: head, conclusion: "success" }),
    ]);
    expect(await pulls.get(pull.number)).toMatchObject({ merged: true, labels: ["emergency-deprovision"] });
    const merged = (await github.store.ref("refs/heads/main")) ?? "";
    expect((await github.store.commit(merged))?.parents).toEqual([main, head]);
    expect(github.webhooks.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    expect(github.webhooks.deliveries.map((delivery) => `${delivery.name}.${delivery.action ?? ""}`)).toEqual(
      expect.arrayContaining(["pull_request.opened", "pull_request.labeled", "pull_request.closed", "push."]),
    );
    expect(github.mismatches).toEqual([]);
  });
});
