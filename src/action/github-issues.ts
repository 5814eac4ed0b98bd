import { ProbotOctokit } from "probot";
import type { Secret } from "../secret.js";

/** A GitHub REST call that failed; the message says which and what to check, never the token. */
export class GitHubIssuesError extends Error {
  override name = "GitHubIssuesError";
}

export interface IssueRef {
  readonly number: number;
  readonly body: string;
}

/**
 * The few issue and comment calls the action makes (sticky PR comment, drift issue), against the REST API
 * the runner names (GITHUB_API_URL, so GitHub Enterprise Server works).
 */
export class GitHubIssues {
  readonly #octokit: InstanceType<typeof ProbotOctokit>;
  readonly #owner: string;
  readonly #repo: string;

  constructor(options: { apiUrl: string; token: Secret; repository: string }) {
    const [owner, repo] = options.repository.split("/");
    if (owner === undefined || repo === undefined || owner === "" || repo === "") {
      throw new GitHubIssuesError(`GITHUB_REPOSITORY=${options.repository} is not owner/name`);
    }
    this.#owner = owner;
    this.#repo = repo;
    this.#octokit = new ProbotOctokit({
      auth: { token: options.token.reveal() },
      baseUrl: options.apiUrl,
      // A workflow step should fail fast and say why rather than sleep through retries.
      retry: { enabled: false },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  /** Edits the comment that starts with `marker`, or adds one. Returns the comment's id. */
  async upsertComment(issueNumber: number, marker: string, body: string): Promise<number> {
    const comments = await this.#call(`list the comments of #${issueNumber}`, () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        owner: this.#owner,
        repo: this.#repo,
        issue_number: issueNumber,
        per_page: 100,
      }),
    );
    const mine = comments.find((comment) => comment.body?.startsWith(marker) === true);
    if (mine !== undefined) {
      await this.#call(`update comment ${mine.id}`, () =>
        this.#octokit.rest.issues.updateComment({
          owner: this.#owner,
          repo: this.#repo,
          comment_id: mine.id,
          body,
        }),
      );
      return mine.id;
    }
    const created = await this.#call(`comment on #${issueNumber}`, () =>
      this.#octokit.rest.issues.createComment({
        owner: this.#owner,
        repo: this.#repo,
        issue_number: issueNumber,
        body,
      }),
    );
    return created.data.id;
  }

  /** The open issue with `label` whose body holds `marker` (pull requests excluded). */
  async findOpenIssue(label: string, marker: string): Promise<IssueRef | undefined> {
    const issues = await this.#call(`list the open issues labelled ${label}`, () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listForRepo, {
        owner: this.#owner,
        repo: this.#repo,
        state: "open",
        labels: label,
        per_page: 100,
      }),
    );
    const found = issues.find(
      (issue) => issue.pull_request === undefined && (issue.body ?? "").includes(marker),
    );
    return found === undefined ? undefined : { number: found.number, body: found.body ?? "" };
  }

  async createIssue(title: string, body: string, label: string): Promise<number> {
    const created = await this.#call("open an issue", () =>
      this.#octokit.rest.issues.create({
        owner: this.#owner,
        repo: this.#repo,
        title,
        body,
        labels: [label],
      }),
    );
    return created.data.number;
  }

  async updateIssueBody(issueNumber: number, body: string): Promise<void> {
    await this.#call(`update issue #${issueNumber}`, () =>
      this.#octokit.rest.issues.update({
        owner: this.#owner,
        repo: this.#repo,
        issue_number: issueNumber,
        body,
      }),
    );
  }

  async closeIssue(issueNumber: number, comment: string): Promise<void> {
    await this.#call(`comment on issue #${issueNumber}`, () =>
      this.#octokit.rest.issues.createComment({
        owner: this.#owner,
        repo: this.#repo,
        issue_number: issueNumber,
        body: comment,
      }),
    );
    await this.#call(`close issue #${issueNumber}`, () =>
      this.#octokit.rest.issues.update({
        owner: this.#owner,
        repo: this.#repo,
        issue_number: issueNumber,
        state: "closed",
        state_reason: "completed",
      }),
    );
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const hint =
        status === 401
          ? "the token was refused: check the action's github-token input"
          : status === 403 || status === 404
            ? "the token may lack permission: give the job `issues: write` and `pull-requests: write`"
            : "see the cause";
      throw new GitHubIssuesError(
        `could not ${what} in ${this.#owner}/${this.#repo}${typeof status === "number" ? ` (HTTP ${status})` : ""}: ${hint}`,
        { cause: error },
      );
    }
  }
}
