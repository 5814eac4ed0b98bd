/** The REST operations the GitHub fake serves, as @octokit/openapi names them; every answer is checked. */
export const FAKE_GITHUB_OPERATIONS = [
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/tarball/{ref}",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "POST /repos/{owner}/{repo}/git/trees",
  "POST /repos/{owner}/{repo}/git/commits",
  "POST /repos/{owner}/{repo}/git/refs",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
  "POST /repos/{owner}/{repo}/merges",
  "GET /repos/{owner}/{repo}/pulls",
  "POST /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "POST /repos/{owner}/{repo}/check-runs",
  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  "GET /repos/{owner}/{repo}/installation",
  "POST /app/installations/{installation_id}/access_tokens",
] as const;

export type FakeGitHubOperation = (typeof FAKE_GITHUB_OPERATIONS)[number];

/** Parameters that may hold slashes (a ref, a path, `base...head`). */
const GREEDY = new Set(["ref", "path", "basehead"]);

const MATCHERS = FAKE_GITHUB_OPERATIONS.map((operation) => {
  const [method = "", template = ""] = operation.split(" ");
  const pattern = template.replace(/\{([a-z_]+)\}/g, (_, name: string) =>
    GREEDY.has(name) ? "(.+)" : "([^/]+)",
  );
  return { operation, method, regex: new RegExp(`^${pattern}$`) };
});

/** The operation a request is, or undefined for paths the fake does not model (codeload, GraphQL). */
export function operationOf(method: string, path: string): FakeGitHubOperation | undefined {
  // Greedy parameters would also swallow `/check-runs`, so the more specific templates are tried first.
  const candidates = MATCHERS.filter((matcher) => matcher.method === method && matcher.regex.test(path));
  candidates.sort((a, b) => b.operation.length - a.operation.length);
  return candidates[0]?.operation;
}
