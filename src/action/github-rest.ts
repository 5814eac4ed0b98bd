import { ProbotOctokit } from "probot";
import type { Secret } from "../secret.js";

/** A GitHub REST call that failed; the message says which and what to check, never the token. */
export class GitHubRestError extends Error {
  override name = "GitHubRestError";
}

export interface GitHubRestOptions {
  readonly apiUrl: string;
  readonly token: Secret;
  /** `owner/name`. */
  readonly repository: string;
}

/**
 * The action's REST client for one repository, against the API the runner names (GITHUB_API_URL, so
 * GitHub Enterprise Server works). Each call is wrapped so a failure says what was attempted and what to
 * check; `permissionHint` is what a 403 or 404 most likely means for the calls a subclass makes.
 */
export abstract class GitHubRestClient {
  protected readonly octokit: InstanceType<typeof ProbotOctokit>;
  protected readonly owner: string;
  protected readonly repo: string;

  protected constructor(
    options: GitHubRestOptions,
    private readonly permissionHint: string,
  ) {
    const [owner, repo] = options.repository.split("/");
    if (owner === undefined || repo === undefined || owner === "" || repo === "") {
      throw new GitHubRestError(`GITHUB_REPOSITORY=${options.repository} is not owner/name`);
    }
    this.owner = owner;
    this.repo = repo;
    this.octokit = new ProbotOctokit({
      auth: { token: options.token.reveal() },
      baseUrl: options.apiUrl,
      // A workflow step should fail fast and say why rather than sleep through retries.
      retry: { enabled: false },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  protected async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const hint =
        status === 401
          ? "the token was refused: check the action's github-token input"
          : status === 403 || status === 404
            ? this.permissionHint
            : "see the cause";
      throw new GitHubRestError(
        `could not ${what} in ${this.owner}/${this.repo}${typeof status === "number" ? ` (HTTP ${status})` : ""}: ${hint}`,
        { cause: error },
      );
    }
  }
}
