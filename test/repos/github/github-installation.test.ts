import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AppNotInstalledError,
  findInstallationId,
  installationClient,
  InstallationTokens,
} from "../../../src/repos/github/github-installation.js";
import { GitHubPullRequests } from "../../../src/repos/github/github-pull-requests.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";
import { fakeClient, seedMain } from "./github-fixture.js";

const APP_ID = 31337;
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privateKey = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

let fake: FakeGitHub;
const name = { owner: "acme", repo: "policy" };

beforeEach(async () => {
  fake = await startFakeGitHub({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: 77 } });
  await seedMain(fake);
  fake.log.length = 0;
});

afterEach(async () => {
  expect(fake.mismatches).toEqual([]);
  await fake.close();
});

const appClient = (key = privateKey, enterprise = false) =>
  fakeClient(fake, { auth: { appId: APP_ID, privateKey: key }, enterprise });
const mints = () =>
  fake.log.filter((entry) => entry.path.endsWith("/access_tokens")).map((entry) => entry.status);

describe("finding the installation with the App's own auth", () => {
  it("asks GET /repos/{owner}/{repo}/installation with an RS256 JWT the fake verifies", async () => {
    expect(await findInstallationId(appClient(), name)).toBe(77);
    expect(fake.log).toEqual([
      expect.objectContaining({ path: "/repos/acme/policy/installation", status: 200 }),
    ]);
  });

  it("says to install the App when it is not installed on the repository", async () => {
    await expect(
      findInstallationId(appClient(), { owner: "acme", repo: "elsewhere" }),
    ).rejects.toBeInstanceOf(AppNotInstalledError);
  });

  it("is refused with a JWT signed by another key, and with an installation token", async () => {
    await expect(findInstallationId(appClient(otherKey), name)).rejects.toMatchObject({ status: 401 });
    const tokens = new InstallationTokens({ appClient: appClient(), installationId: 77 });
    const asInstallation = installationClient(fakeClient(fake, { auth: false }), tokens);
    await expect(findInstallationId(asInstallation, name)).rejects.toMatchObject({ status: 401 });
  });
});

describe("the fake's App JWT check", () => {
  const lookUp = async (claims: { iss?: string; expiresIn?: number; alg?: string }) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: claims.alg ?? "RS256" })
      .setIssuedAt(now - 30)
      .setIssuer(claims.iss ?? String(APP_ID))
      .setExpirationTime(now + (claims.expiresIn ?? 540))
      .sign(keys.privateKey);
    const response = await fetch(`${fake.url}/repos/acme/policy/installation`, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };

  it("accepts an RS256 JWT from the App's key, and refuses another issuer or an expiry past 10 minutes", async () => {
    expect((await lookUp({})).status).toBe(200);
    expect(await lookUp({ iss: "999" })).toMatchObject({ status: 401 });
    expect(await lookUp({ expiresIn: 11 * 60 })).toMatchObject({
      status: 401,
      body: { message: "'Expiration time' claim ('exp') is too far in the future" },
    });
    expect(await lookUp({ alg: "PS256" })).toMatchObject({ status: 401 });
  });
});

describe("installation tokens", () => {
  it("mints one token for many requests, and a new one before the old expires", async () => {
    let now = Date.now();
    const tokens = new InstallationTokens({
      appClient: appClient(),
      installationId: await findInstallationId(appClient(), name),
      refreshBeforeMs: 5 * 60_000,
      now: () => now,
    });
    const pulls = new GitHubPullRequests(installationClient(fakeClient(fake, { auth: false }), tokens), name);
    await Promise.all([pulls.findOpen("a"), pulls.findOpen("b"), pulls.findOpen("c")]);
    expect(mints()).toEqual([201]);
    // 56 minutes on, the hour-long token has four minutes left: inside the margin, so it is replaced.
    now += 56 * 60_000;
    await pulls.findOpen("a");
    expect(mints()).toEqual([201, 201]);
    expect(fake.log.filter((entry) => entry.status === 401)).toEqual([]);
  });

  it("mints a new token and resends once when GitHub answers 401 to an expired one", async () => {
    const tokens = new InstallationTokens({ appClient: appClient(), installationId: 77 });
    const pulls = new GitHubPullRequests(installationClient(fakeClient(fake, { auth: false }), tokens), name);
    await pulls.findOpen("a");
    fake.app?.expireTokens();
    expect(await pulls.findOpen("a")).toBeUndefined();
    expect(fake.log.map((entry) => entry.status)).toEqual([201, 200, 401, 201, 200]);
  });

  it("rejects requests without a token it minted", async () => {
    const pulls = new GitHubPullRequests(fakeClient(fake), name);
    await expect(pulls.findOpen("a")).rejects.toMatchObject({ name: "GitHubApiError", status: 401 });
  });
});

describe("GitHub Enterprise Server paths", () => {
  it("finds the installation, mints, opens, arms auto-merge and merges under /api/v3 and /api/graphql", async () => {
    const main = (await fake.store.ref("refs/heads/main")) ?? "";
    const tree = (await fake.store.commit(main))?.tree ?? "";
    const head = await fake.store.writeCommit(tree, [main], "Revoke bob\n");
    await fake.store.updateRef("refs/heads/e", head, "0".repeat(40));
    fake.state.rules.set("main", { requiredChecks: ["revocation-guard"] });
    const app = appClient(privateKey, true);
    const tokens = new InstallationTokens({
      appClient: app,
      installationId: await findInstallationId(app, name),
    });
    const pulls = new GitHubPullRequests(
      installationClient(fakeClient(fake, { auth: false, enterprise: true }), tokens),
      name,
    );
    const pull = await pulls.open({ head: "e", base: "main", title: "Emergency", body: "" });
    expect(pull.url).toBe(`${fake.url}/acme/policy/pull/1`);
    expect(
      await pulls.enableAutoMerge({ number: pull.number, sha: head, title: "Emergency", message: "" }),
    ).toBe("armed");
    await pulls.createCheckRun({
      name: "revocation-guard",
      headSha: head,
      status: "completed",
      conclusion: "success",
      title: "Revocation only",
      summary: "",
    });
    expect(await pulls.get(pull.number)).toMatchObject({ merged: true });
    const paths = fake.log.map((entry) => entry.path);
    expect(paths.every((path) => path.startsWith("/api/v3/") || path === "/api/graphql")).toBe(true);
    expect(paths).toContain("/api/graphql");
    expect(paths).toContain("/api/v3/app/installations/77/access_tokens");
  });
});
