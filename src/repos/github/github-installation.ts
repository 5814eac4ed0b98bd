import { PolicyRepoError } from "../policy-repo.js";
import type { GitHubClient, GitHubGraphqlClient } from "./github-request.js";
import { requestGitHub } from "./github-request.js";

/** The App is not installed on the policy repository, so it cannot act there. */
export class AppNotInstalledError extends PolicyRepoError {
  override name = "AppNotInstalledError";
  constructor(
    readonly repository: string,
    options?: ErrorOptions,
  ) {
    super(
      `the GitHub App is not installed on ${repository}: install it there (Settings → GitHub Apps) ` +
        `with contents, pull requests and checks permissions`,
      options,
    );
  }
}

/**
 * The installation on the policy repository, asked with the App's own JWT auth
 * (`GET /repos/{owner}/{repo}/installation`, reference/github.md §1): the SCIM path has no webhook to
 * carry an installation id.
 */
export async function findInstallationId(
  appClient: GitHubClient,
  name: { owner: string; repo: string },
): Promise<number> {
  const response = await requestGitHub(appClient, "GET /repos/{owner}/{repo}/installation", name, [404]);
  if (response.status === 404) throw new AppNotInstalledError(`${name.owner}/${name.repo}`);
  return (response.data as { id: number }).id;
}

export interface InstallationTokensOptions {
  /** Authenticated as the App (its JWT), e.g. Probot's `await app.auth()`. */
  readonly appClient: GitHubClient;
  readonly installationId: number;
  /** A token this close to its `expires_at` is replaced before use; five minutes by default. */
  readonly refreshBeforeMs?: number;
  readonly now?: () => number;
}

/**
 * Installation tokens minted with the App's JWT and replaced before they expire. Probot's own cache keeps a
 * token for 59 minutes whatever its `expires_at` says, so a token revoked or issued short lives on there
 * and every request fails 401 until the process restarts.
 */
export class InstallationTokens {
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly refreshBeforeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** A token valid for at least `refreshBeforeMs`; concurrent callers share one mint. */
  async token(): Promise<string> {
    const current = this.current;
    if (current !== undefined && current.expiresAt - this.now() > this.refreshBeforeMs) return current.token;
    this.pending ??= this.mint().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the token, so the next request mints a new one (after GitHub answered 401 to it). */
  invalidate(): void {
    this.current = undefined;
  }

  private async mint(): Promise<string> {
    const response = await requestGitHub(
      this.options.appClient,
      "POST /app/installations/{installation_id}/access_tokens",
      { installation_id: this.options.installationId },
    );
    const data = response.data as { token: string; expires_at: string };
    this.current = { token: data.token, expiresAt: Date.parse(data.expires_at) };
    return data.token;
  }
}

const isBadCredentials = (error: unknown) => (error as { status?: unknown }).status === 401;

/**
 * A client that sends every request with a fresh installation token. `base` carries no auth of its own
 * (an Octokit built without `auth`, pointed at the API), so the header set here is the one that goes out.
 * A 401 mints a new token and sends the request once more; a second 401 is GitHub's answer.
 */
export function installationClient(
  base: GitHubGraphqlClient,
  tokens: InstallationTokens,
): GitHubGraphqlClient {
  const withToken = async <T>(send: (authorization: string) => Promise<T>): Promise<T> => {
    try {
      return await send(`token ${await tokens.token()}`);
    } catch (error) {
      if (!isBadCredentials(error)) throw error;
      tokens.invalidate();
      return send(`token ${await tokens.token()}`);
    }
  };
  const headersOf = (parameters: Record<string, unknown> | undefined) =>
    (parameters?.["headers"] as Record<string, unknown> | undefined) ?? {};
  return {
    request: (route, parameters) =>
      withToken((authorization) =>
        base.request(route, { ...parameters, headers: { ...headersOf(parameters), authorization } }),
      ),
    graphql: (query, parameters) =>
      withToken((authorization) =>
        base.graphql(query, { ...parameters, headers: { ...headersOf(parameters), authorization } }),
      ),
  };
}
