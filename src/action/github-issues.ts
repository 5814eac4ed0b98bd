import { GitHubRestClient, type GitHubRestOptions } from "./github-rest.js";

export interface IssueRef {
  readonly number: number;
  readonly body: string;
}

/** The few issue and comment calls the action makes: the sticky PR comment and the drift issue. */
export class GitHubIssues extends GitHubRestClient {
  constructor(options: GitHubRestOptions) {
    super(options, "the token may lack permission: give the job `issues: write` and `pull-requests: write`");
  }

  /** Edits the comment that starts with `marker`, or adds one. Returns the comment's id. */
  async upsertComment(issueNumber: number, marker: string, body: string): Promise<number> {
    const comments = await this.call(`list the comments of #${issueNumber}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        per_page: 100,
      }),
    );
    const mine = comments.find((comment) => comment.body?.startsWith(marker) === true);
    if (mine !== undefined) {
      await this.call(`update comment ${mine.id}`, () =>
        this.octokit.rest.issues.updateComment({
          owner: this.owner,
          repo: this.repo,
          comment_id: mine.id,
          body,
        }),
      );
      return mine.id;
    }
    const created = await this.call(`comment on #${issueNumber}`, () =>
      this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        body,
      }),
    );
    return created.data.id;
  }

  /** The open issue with `label` whose body holds `marker` (pull requests excluded). */
  async findOpenIssue(label: string, marker: string): Promise<IssueRef | undefined> {
    const issues = await this.call(`list the open issues labelled ${label}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        owner: this.owner,
        repo: this.repo,
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
    const created = await this.call("open an issue", () =>
      this.octokit.rest.issues.create({
        owner: this.owner,
        repo: this.repo,
        title,
        body,
        labels: [label],
      }),
    );
    return created.data.number;
  }

  async updateIssueBody(issueNumber: number, body: string): Promise<void> {
    await this.call(`update issue #${issueNumber}`, () =>
      this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        body,
      }),
    );
  }

  async closeIssue(issueNumber: number, comment: string): Promise<void> {
    await this.call(`comment on issue #${issueNumber}`, () =>
      this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        body: comment,
      }),
    );
    await this.call(`close issue #${issueNumber}`, () =>
      this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        state: "closed",
        state_reason: "completed",
      }),
    );
  }
}
