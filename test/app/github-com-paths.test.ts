/**
 * GitHub mode on github.com's paths, the Probot way: the installation found with the App's JWT, a token
 * minted, and a `pull_request.opened` delivery (GitHub's recorded payload, through `probot.receive`) turned
 * into the two check runs on the PR's head, every request stubbed with nock at https://api.github.com and
 * asserted. The end-to-end test runs the same flow over HTTP against the stateful fake on GitHub Enterprise
 * Server's paths (GHE_HOST), since a process cannot be pointed at api.github.com without a test-only switch.
 */
import { randomUUID } from "node:crypto";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import nock from "nock";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import scimGitopsApp from "../../src/app.js";
import { CheckQueue } from "../../src/app/check-queue.js";
import { connectInstallation, GitHubAppStartError } from "../../src/app/connect-installation.js";
import type { GitHubConfig } from "../../src/config.js";
import { gitHubProposals } from "../../src/proposals/github/github-proposals.js";
import { Secret } from "../../src/secret.js";
import {
  APP_ID,
  examplePayload,
  OWNER,
  PRIVATE_KEY,
  REPO,
  unitProbot,
  WEBHOOK_SECRET,
} from "./app-fixture.js";

const TOKEN = "ghs_unitInstallationToken0123456789abcd";
const BASE = "a".repeat(40);
const BASE_TREE = "b".repeat(40);
const HEAD = "c".repeat(40);
const HEAD_TREE = "d".repeat(40);
const SETTINGS = { sha: "1".repeat(40), text: "version: 1\n" };
const ACCESS = { sha: "2".repeat(40), text: "roles: {}\nbindings: []\n" };
const ZOE = {
  sha: "3".repeat(40),
  text: "id: z1\nuserName: zoe@example.com\ndisplayName: Zoe\nactive: true\nemails:\n  - zoe@example.com\n",
};

const config: GitHubConfig = {
  appId: APP_ID,
  privateKey: new Secret(PRIVATE_KEY),
  webhookSecret: new Secret(WEBHOOK_SECRET),
  webhookPath: "/api/github/webhooks",
  apiUrl: "https://api.github.com",
  enterpriseHost: undefined,
  owner: OWNER,
  repo: REPO,
  baseBranch: "main",
  policyDir: "policies",
  logLevel: "debug",
};

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

const repoPath = `/repos/${OWNER}/${REPO}`;
const blob = (file: { sha: string; text: string }) => ({
  sha: file.sha,
  node_id: "B",
  size: file.text.length,
  url: "",
  content: Buffer.from(file.text).toString("base64"),
  encoding: "base64",
});
const tree = (sha: string, files: Record<string, { sha: string }>) => ({
  sha,
  url: "",
  truncated: false,
  tree: Object.entries(files).map(([path, file]) => ({ path, mode: "100644", type: "blob", sha: file.sha })),
});
const commit = (sha: string, treeSha: string) => ({
  sha,
  node_id: "C",
  url: "",
  html_url: "",
  message: "m",
  tree: { sha: treeSha, url: "" },
  parents: [],
});

/** The App's own JWT for the installation lookup and the token; the installation token for the rest. */
function stubInstallation() {
  return nock("https://api.github.com")
    .get(`${repoPath}/installation`)
    .matchHeader("authorization", /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i)
    .reply(200, { id: 77, app_id: APP_ID, account: { login: OWNER } })
    .post("/app/installations/77/access_tokens")
    .matchHeader("authorization", /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i)
    .reply(201, { token: TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString() });
}

it("finds the installation with the App's JWT and posts both checks on the PR's head with the installation token", async () => {
  const installation = stubInstallation();
  const { probot, log } = unitProbot();
  const connection = await connectInstallation(probot, config, probot.log);
  expect(connection.installationId).toBe(77);
  installation.done();

  const example = examplePayload("pull_request", "opened");
  const pull = example["pull_request"] as Record<string, Record<string, unknown>>;
  const pullData = {
    ...pull,
    number: 7,
    labels: [],
    head: { ...pull["head"], ref: "person/add-zoe", sha: HEAD },
    base: { ...pull["base"], ref: "main" },
  };
  const posted: Record<string, unknown>[] = [];
  const api = nock("https://api.github.com", { reqheaders: { authorization: `token ${TOKEN}` } })
    .get(`${repoPath}/pulls/7`)
    .times(2)
    .reply(200, pullData)
    .get(/\/repos\/acme\/policy\/git\/ref\/heads(%2F|\/)main$/)
    .reply(200, {
      ref: "refs/heads/main",
      node_id: "R",
      url: "",
      object: { sha: BASE, type: "commit", url: "" },
    })
    .get(`${repoPath}/git/commits/${BASE}`)
    .reply(200, commit(BASE, BASE_TREE))
    .get(`${repoPath}/git/commits/${HEAD}`)
    .reply(200, commit(HEAD, HEAD_TREE))
    .get(`${repoPath}/git/trees/${BASE_TREE}?recursive=1`)
    .reply(200, tree(BASE_TREE, { "policies/settings.yaml": SETTINGS, "policies/access/team.yaml": ACCESS }))
    .get(`${repoPath}/git/trees/${HEAD_TREE}?recursive=1`)
    .reply(
      200,
      tree(HEAD_TREE, {
        "policies/settings.yaml": SETTINGS,
        "policies/access/team.yaml": ACCESS,
        "policies/identities/users/zoe-example-com.yaml": ZOE,
      }),
    )
    // Both revisions are read at once, so a blob they share may be fetched by each before either caches it.
    .get(`${repoPath}/git/blobs/${SETTINGS.sha}`)
    .reply(200, blob(SETTINGS))
    .get(`${repoPath}/git/blobs/${SETTINGS.sha}`)
    .optionally()
    .reply(200, blob(SETTINGS))
    .get(`${repoPath}/git/blobs/${ACCESS.sha}`)
    .reply(200, blob(ACCESS))
    .get(`${repoPath}/git/blobs/${ACCESS.sha}`)
    .optionally()
    .reply(200, blob(ACCESS))
    .get(`${repoPath}/git/blobs/${ZOE.sha}`)
    .reply(200, blob(ZOE))
    .post(`${repoPath}/check-runs`, (body: Record<string, unknown>) => {
      posted.push(body);
      return true;
    })
    .times(2)
    .reply(201, (_uri, body) => {
      const sent = body as { name: string; head_sha: string; status: string; conclusion: string };
      return { id: posted.length, ...sent };
    });

  const proposals = gitHubProposals({
    client: connection.client,
    owner: OWNER,
    repo: REPO,
    baseBranch: "main",
    policyDir: "policies",
  });
  const warnings: string[] = [];
  const checks = new CheckQueue({
    check: (number) => proposals.checks.check(number),
    warn: (w) => warnings.push(w),
  });
  const calls: string[] = [];
  await probot.load(
    scimGitopsApp({
      owner: OWNER,
      repo: REPO,
      baseBranch: "main",
      mainMayHaveMoved: () => calls.push("main"),
      checkPullRequest: (number) => checks.add(number),
    }),
  );
  await probot.receive({
    id: randomUUID(),
    name: "pull_request",
    payload: { ...example, number: 7, pull_request: pullData },
  } as unknown as EmitterWebhookEvent);
  await checks.idle();

  expect(warnings).toEqual([]);
  api.done();
  expect(posted.map((body) => [body["name"], body["head_sha"], body["status"], body["conclusion"]])).toEqual([
    ["access-diff", HEAD, "completed", "success"],
    ["revocation-guard", HEAD, "completed", "success"],
  ]);
  expect(log.text()).not.toContain(TOKEN);
  expect(calls).toEqual([]);
});

it("says the App is not installed on POLICY_REPO, and names a refused key, in one message each", async () => {
  const { probot } = unitProbot();
  nock("https://api.github.com")
    .get(`${repoPath}/installation`)
    .reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  await expect(connectInstallation(probot, config, probot.log)).rejects.toThrow(
    new GitHubAppStartError(
      "the GitHub App 4711 is not installed on acme/policy (POLICY_REPO): install it on that repository from " +
        "the App's page (Install App), or set POLICY_REPO to a repository it is installed on",
    ),
  );
  nock("https://api.github.com")
    .get(`${repoPath}/installation`)
    .reply(401, { message: "A JSON web token could not be decoded", documentation_url: "" });
  await expect(connectInstallation(probot, config, probot.log)).rejects.toThrow(
    /^GitHub refused the App's credentials \(401\): check that APP_ID=4711 is the App's id and that PRIVATE_KEY/,
  );
});
