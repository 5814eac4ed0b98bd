import { ProbotOctokit } from "probot";
import { GitHubPolicyRepo } from "../../../src/repos/github/github-policy-repo.js";
import { ZERO } from "../../fakes/github/fake-git-store.js";
import type { FakeGitHub } from "../../fakes/github/fake-github.js";
import { startFakeGitHub } from "../../fakes/github/fake-github.js";

/** Shaped like an installation token; no error text may ever contain it. */
export const TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

export interface GitHubFixture {
  readonly fake: FakeGitHub;
  readonly repo: GitHubPolicyRepo;
  /** The first commit on main. */
  readonly main: string;
}

/**
 * Probot's client as the App builds it, pointed at the fake. Throttling is off (its 1 s spacing of writes
 * would make the suite slow) and retry is on or off as the test needs, in the function form that
 * actually takes effect (reference/github.md §1).
 */
export function fakeClient(
  fake: FakeGitHub,
  options: { retry?: boolean; enterprise?: boolean; auth?: Record<string, unknown> | false } = {},
) {
  const Client = ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
    ...defaults,
    retry: { enabled: options.retry ?? false },
    throttle: { enabled: false },
  }));
  const baseUrl = options.enterprise === true ? fake.enterpriseUrl : fake.url;
  const auth = options.auth ?? { token: TOKEN };
  return new Client(auth === false ? { baseUrl } : { auth, baseUrl });
}

/** Seeds main with two policy files and returns its commit. */
export async function seedMain(fake: FakeGitHub): Promise<string> {
  const tree = await fake.store.writeTree(undefined, [
    { path: "policies/settings.yaml", mode: "100644", content: "version: 1\n" },
    { path: "policies/access/team.yaml", mode: "100644", content: "roles: {}\nbindings: []\n" },
  ]);
  if (typeof tree !== "string") throw new Error("could not seed the fake");
  const main = await fake.store.writeCommit(tree, [], "Initial policies\n");
  await fake.store.updateRef("refs/heads/main", main, ZERO);
  return main;
}

/** Someone else's commit straight onto a branch of the fake, as a person's push would land. */
export async function pushDirectly(
  fake: FakeGitHub,
  branch: string,
  path: string,
  content: string,
): Promise<string> {
  const ref = `refs/heads/${branch}`;
  const head = (await fake.store.ref(ref)) ?? "";
  const commit = await fake.store.commit(head);
  const tree = await fake.store.writeTree(commit?.tree, [{ path, mode: "100644", content }]);
  if (typeof tree !== "string") throw new Error(`could not write ${path}`);
  const sha = await fake.store.writeCommit(tree, [head], `push ${path}\n`);
  if (!(await fake.store.updateRef(ref, sha, head))) throw new Error(`${branch} moved during the push`);
  return sha;
}

export async function openGitHubFixture(options: { retry?: boolean } = {}): Promise<GitHubFixture> {
  const fake = await startFakeGitHub();
  const main = await seedMain(fake);
  const repo = new GitHubPolicyRepo({
    client: fakeClient(fake, options),
    owner: fake.owner,
    repo: fake.repo,
  });
  fake.log.length = 0;
  return { fake, repo, main };
}
