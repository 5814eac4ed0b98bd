import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gitResult } from "../../../src/repos/git/git.js";
import { routeLabels, routePulls, type PullsContext } from "./pulls.js";

/**
 * A stateful fake of GitHub's issues, issue-comments, labels and pulls REST endpoints for one repository
 * (pull requests are issues there too, sharing their numbers and labels), with GitHub's status codes and
 * `{message, documentation_url}` error bodies: 401 on a bad token, 404 on an unknown issue, comment or
 * label, 422 on a missing title, a body over 65,536 characters, a head branch that does not exist or
 * already has an open pull request. Branches are read from a real git repository (`repoDir`). It records
 * every request so a test can see what the action did.
 */
export interface FakeIssue {
  readonly number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  readonly isPullRequest: boolean;
  /** Pull requests only: the head and base branches. */
  readonly pull?: { readonly head: string; base: string; headSha: string };
}

export interface FakeComment {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
}

export interface FakeIssuesRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface FakeGitHubIssues {
  readonly url: string;
  readonly issues: Map<number, FakeIssue>;
  readonly comments: FakeComment[];
  readonly log: FakeIssuesRequest[];
  /** A pull request the action can comment on. */
  addPullRequest(number: number, title: string): void;
  /** The open or closed pull requests whose head is `branch`. */
  pullsFrom(branch: string): FakeIssue[];
  close(): Promise<void>;
}

export const BODY_LIMIT = 65_536;
const DOCS = "https://docs.github.com/rest/issues";

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

export async function startFakeGitHubIssues(options: {
  owner: string;
  repo: string;
  token: string;
  /** The repository whose branches pull requests are opened from (a bare remote, say). */
  repoDir?: string;
}): Promise<FakeGitHubIssues> {
  const issues = new Map<number, FakeIssue>();
  const comments: FakeComment[] = [];
  const log: FakeIssuesRequest[] = [];
  const counters = { issue: 0, comment: 1000 };
  let url = "";
  const base = `/repos/${options.owner}/${options.repo}`;

  const issueJson = (issue: FakeIssue): unknown => ({
    id: 5000 + issue.number,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    labels: issue.labels.map((name, index) => ({ id: index + 1, name })),
    html_url: `https://github.com/${options.owner}/${options.repo}/issues/${issue.number}`,
    ...(issue.isPullRequest ? { pull_request: { url: `${url}${base}/pulls/${issue.number}` } } : {}),
  });
  const commentJson = (comment: FakeComment): unknown => ({
    id: comment.id,
    body: comment.body,
    html_url: `https://github.com/${options.owner}/${options.repo}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
  });
  const notFound: Reply = { status: 404, body: { message: "Not Found", documentation_url: DOCS } };
  const invalid = (field: string, code: string): Reply => ({
    status: 422,
    body: {
      message: "Validation Failed",
      errors: [{ resource: "Issue", field, code }],
      documentation_url: DOCS,
    },
  });
  const bodyProblem = (body: unknown): Reply | undefined =>
    body !== undefined && (typeof body !== "string" || body.length > BODY_LIMIT)
      ? invalid("body", typeof body === "string" ? "custom" : "invalid")
      : undefined;

  const branchHead = async (branch: string): Promise<string | undefined> => {
    if (options.repoDir === undefined) return undefined;
    const result = await gitResult(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
      cwd: options.repoDir,
    });
    return result.code === 0 ? result.stdout.toString("utf8").trim() : undefined;
  };
  const pulls: PullsContext = {
    owner: options.owner,
    repo: options.repo,
    issues,
    nextNumber: () => ++counters.issue,
    branchHead,
    pullsUrl: () => `${url}${base}/pulls`,
    notFound,
    bodyProblem,
  };

  const route = async (
    method: string,
    path: string,
    query: URLSearchParams,
    input: Record<string, unknown>,
  ): Promise<Reply> => {
    if (path === `${base}/pulls` || path.startsWith(`${base}/pulls/`)) {
      return routePulls(pulls, method, path.slice(`${base}/pulls`.length), query, input);
    }
    const labels = /^\/issues\/(\d+)\/labels(?:\/(.+))?$/.exec(path.slice(base.length));
    if (labels !== null) return routeLabels(pulls, method, Number(labels[1]), labels[2], input);
    if (!path.startsWith(`${base}/issues`)) return notFound;
    const rest = path.slice(`${base}/issues`.length);
    if (rest === "" && method === "GET") {
      const state = query.get("state") ?? "open";
      const labels = (query.get("labels") ?? "").split(",").filter((label) => label !== "");
      const list = [...issues.values()]
        .filter((issue) => state === "all" || issue.state === state)
        .filter((issue) => labels.every((label) => issue.labels.includes(label)))
        .sort((a, b) => b.number - a.number);
      return { status: 200, body: list.map(issueJson) };
    }
    if (rest === "" && method === "POST") {
      if (typeof input.title !== "string" || input.title === "") return invalid("title", "missing_field");
      const problem = bodyProblem(input.body);
      if (problem !== undefined) return problem;
      const issue: FakeIssue = {
        number: ++counters.issue,
        title: input.title,
        body: (input.body as string | undefined) ?? "",
        state: "open",
        stateReason: null,
        labels: Array.isArray(input.labels) ? input.labels.map(String) : [],
        isPullRequest: false,
      };
      issues.set(issue.number, issue);
      return { status: 201, body: issueJson(issue) };
    }
    const commentEdit = /^\/comments\/(\d+)$/.exec(rest);
    if (commentEdit !== null && method === "PATCH") {
      const comment = comments.find((candidate) => candidate.id === Number(commentEdit[1]));
      if (comment === undefined) return notFound;
      if (typeof input.body !== "string") return invalid("body", "missing_field");
      const problem = bodyProblem(input.body);
      if (problem !== undefined) return problem;
      comment.body = input.body;
      return { status: 200, body: commentJson(comment) };
    }
    const onIssue = /^\/(\d+)(\/comments)?$/.exec(rest);
    if (onIssue === null) return notFound;
    const issue = issues.get(Number(onIssue[1]));
    if (issue === undefined) return notFound;
    if (onIssue[2] !== undefined) {
      if (method === "GET") {
        const perPage = Number(query.get("per_page") ?? "30");
        const page = Number(query.get("page") ?? "1");
        const all = comments.filter((comment) => comment.issueNumber === issue.number);
        return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map(commentJson) };
      }
      if (method === "POST") {
        if (typeof input.body !== "string" || input.body === "") return invalid("body", "missing_field");
        const problem = bodyProblem(input.body);
        if (problem !== undefined) return problem;
        const comment = { id: ++counters.comment, issueNumber: issue.number, body: input.body };
        comments.push(comment);
        return { status: 201, body: commentJson(comment) };
      }
      return notFound;
    }
    if (method === "GET") return { status: 200, body: issueJson(issue) };
    if (method === "PATCH") {
      const problem = bodyProblem(input.body);
      if (problem !== undefined) return problem;
      if (typeof input.body === "string") issue.body = input.body;
      if (typeof input.title === "string") issue.title = input.title;
      if (input.state === "open" || input.state === "closed") {
        issue.state = input.state;
        issue.stateReason =
          input.state === "closed"
            ? typeof input.state_reason === "string"
              ? input.state_reason
              : "completed"
            : "reopened";
      }
      return { status: 200, body: issueJson(issue) };
    }
    return notFound;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const target = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    const authorization = request.headers.authorization ?? "";
    const reply: Reply =
      authorization !== `token ${options.token}` && authorization !== `Bearer ${options.token}`
        ? {
            status: 401,
            body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" },
          }
        : await route(
            method,
            target.pathname,
            target.searchParams,
            text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
          );
    log.push({ method, path: target.pathname, status: reply.status });
    response.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" });
    response.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    issues,
    comments,
    log,
    addPullRequest(number, title) {
      counters.issue = Math.max(counters.issue, number);
      issues.set(number, {
        number,
        title,
        body: "",
        state: "open",
        stateReason: null,
        labels: [],
        isPullRequest: true,
        pull: { head: `pr-${number}`, base: "main", headSha: "0".repeat(40) },
      });
    },
    pullsFrom: (branch) => [...issues.values()].filter((issue) => issue.pull?.head === branch),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
