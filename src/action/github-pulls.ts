import { GitHubRestClient, type GitHubRestOptions } from "./github-rest.js";

export interface PullRef {
  readonly number: number;
  readonly url: string;
  readonly headSha: string;
  readonly labels: readonly string[];
}

/**
 * The pull-request calls the scheduled expiry proposal makes: find the one open PR by its head branch,
 * open or update it, label it, close it. Labels go through the issues API, as GitHub has it.
 */
export class GitHubPulls extends GitHubRestClient {
  constructor(options: GitHubRestOptions) {
    super(
      options,
      "the token may lack permission: give the job `contents: write`, `pull-requests: write` and `issues: write`, and with the workflow's own token allow GitHub Actions to create pull requests (Settings → Actions → General)",
    );
  }

  /** The open pull request from `branch` of this repository, if there is one. */
  async findOpenByHead(branch: string): Promise<PullRef | undefined> {
    const pulls = await this.call(`list the open pull requests from ${branch}`, () =>
      this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        state: "open",
        head: `${this.owner}:${branch}`,
        per_page: 100,
      }),
    );
    const found = pulls.data.find((pull) => pull.head.ref === branch);
    return found === undefined ? undefined : toRef(found);
  }

  async create(request: { head: string; base: string; title: string; body: string }): Promise<PullRef> {
    const created = await this.call(`open a pull request from ${request.head}`, () =>
      this.octokit.rest.pulls.create({ owner: this.owner, repo: this.repo, ...request }),
    );
    return toRef(created.data);
  }

  async update(number: number, change: { title: string; body: string }): Promise<void> {
    await this.call(`update pull request #${number}`, () =>
      this.octokit.rest.pulls.update({ owner: this.owner, repo: this.repo, pull_number: number, ...change }),
    );
  }

  async close(number: number, comment: string): Promise<void> {
    await this.call(`comment on pull request #${number}`, () =>
      this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        body: comment,
      }),
    );
    await this.call(`close pull request #${number}`, () =>
      this.octokit.rest.pulls.update({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        state: "closed",
      }),
    );
  }

  async addLabel(number: number, label: string): Promise<void> {
    await this.call(`label pull request #${number} ${label}`, () =>
      this.octokit.rest.issues.addLabels({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        labels: [label],
      }),
    );
  }

  async removeLabel(number: number, label: string): Promise<void> {
    await this.call(`remove the label ${label} from pull request #${number}`, () =>
      this.octokit.rest.issues.removeLabel({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        name: label,
      }),
    );
  }
}

interface PullData {
  readonly number: number;
  readonly html_url: string;
  readonly head: { readonly sha: string };
  readonly labels: readonly ({ readonly name?: string } | string)[];
}

function toRef(data: PullData): PullRef {
  return {
    number: data.number,
    url: data.html_url,
    headSha: data.head.sha,
    labels: data.labels.flatMap((label) =>
      typeof label === "string" ? [label] : label.name === undefined ? [] : [label.name],
    ),
  };
}
