import type { FakeIssue, Reply } from "./server.js";

const DOCS = "https://docs.github.com/rest/pulls/pulls";

/** What the pulls and labels routes share with the issues fake: one numbering, one set of labels. */
export interface PullsContext {
  readonly owner: string;
  readonly repo: string;
  readonly issues: Map<number, FakeIssue>;
  readonly nextNumber: () => number;
  /** The branch's commit in the backing repository, or undefined when it does not exist. */
  readonly branchHead: (branch: string) => Promise<string | undefined>;
  readonly pullsUrl: () => string;
  readonly notFound: Reply;
  readonly bodyProblem: (body: unknown) => Reply | undefined;
}

function invalid(error: Record<string, string>): Reply {
  return {
    status: 422,
    body: {
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", ...error }],
      documentation_url: DOCS,
    },
  };
}

/** Refreshes the head sha from the branch, as GitHub does on every push; a deleted branch keeps the last one. */
async function pullJson(context: PullsContext, issue: FakeIssue): Promise<unknown> {
  const pull = issue.pull!;
  pull.headSha = (await context.branchHead(pull.head)) ?? pull.headSha;
  return {
    id: 9000 + issue.number,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    html_url: `https://github.com/${context.owner}/${context.repo}/pull/${issue.number}`,
    url: `${context.pullsUrl()}/${issue.number}`,
    head: { ref: pull.head, sha: pull.headSha, label: `${context.owner}:${pull.head}` },
    base: { ref: pull.base, label: `${context.owner}:${pull.base}` },
    labels: issue.labels.map((name, index) => ({ id: index + 1, name })),
    merged_at: null,
    draft: false,
  };
}

/** `head` filters by `owner:branch`, as GitHub documents; a bare branch name matches nothing there. */
function matchesHead(context: PullsContext, issue: FakeIssue, head: string | null): boolean {
  if (head === null) return true;
  return `${context.owner}:${issue.pull?.head ?? ""}` === head;
}

export async function routePulls(
  context: PullsContext,
  method: string,
  rest: string,
  query: URLSearchParams,
  input: Record<string, unknown>,
): Promise<Reply> {
  const pulls = [...context.issues.values()].filter((issue) => issue.pull !== undefined);
  if (rest === "" && method === "GET") {
    const state = query.get("state") ?? "open";
    const perPage = Number(query.get("per_page") ?? "30");
    const page = Number(query.get("page") ?? "1");
    const list = pulls
      .filter((issue) => state === "all" || issue.state === state)
      .filter((issue) => matchesHead(context, issue, query.get("head")))
      .filter((issue) => query.get("base") === null || issue.pull?.base === query.get("base"))
      .sort((a, b) => b.number - a.number)
      .slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: await Promise.all(list.map((issue) => pullJson(context, issue))) };
  }
  if (rest === "" && method === "POST") {
    const { head, base, title } = input;
    if (typeof head !== "string" || typeof base !== "string")
      return invalid({ field: "head", code: "missing_field" });
    if (typeof title !== "string" || title === "") return invalid({ field: "title", code: "missing_field" });
    const problem = context.bodyProblem(input.body);
    if (problem !== undefined) return problem;
    const branch = head.includes(":") ? head.slice(head.indexOf(":") + 1) : head;
    const headSha = await context.branchHead(branch);
    if (headSha === undefined) return invalid({ field: "head", code: "invalid" });
    const baseSha = await context.branchHead(base);
    if (baseSha === undefined) return invalid({ field: "base", code: "invalid" });
    if (
      pulls.some((issue) => issue.state === "open" && issue.pull?.head === branch && issue.pull.base === base)
    ) {
      return invalid({
        code: "custom",
        message: `A pull request already exists for ${context.owner}:${branch}.`,
      });
    }
    if (headSha === baseSha)
      return invalid({ code: "custom", message: `No commits between ${base} and ${branch}` });
    const issue: FakeIssue = {
      number: context.nextNumber(),
      title,
      body: (input.body as string | undefined) ?? "",
      state: "open",
      stateReason: null,
      labels: [],
      isPullRequest: true,
      pull: { head: branch, base, headSha },
    };
    context.issues.set(issue.number, issue);
    return { status: 201, body: await pullJson(context, issue) };
  }
  const one = /^\/(\d+)$/.exec(rest);
  const issue = one === null ? undefined : context.issues.get(Number(one[1]));
  if (issue?.pull === undefined) return context.notFound;
  if (method === "GET") return { status: 200, body: await pullJson(context, issue) };
  if (method === "PATCH") {
    const problem = context.bodyProblem(input.body);
    if (problem !== undefined) return problem;
    if (input.title !== undefined) {
      if (typeof input.title !== "string" || input.title === "")
        return invalid({ field: "title", code: "invalid" });
      issue.title = input.title;
    }
    if (typeof input.body === "string") issue.body = input.body;
    if (typeof input.base === "string") issue.pull.base = input.base;
    if (input.state === "open" || input.state === "closed") {
      issue.state = input.state;
      issue.stateReason = null;
    }
    return { status: 200, body: await pullJson(context, issue) };
  }
  return context.notFound;
}

/** Labels on an issue or a pull request: POST adds (creating unknown labels), DELETE removes one. */
export function routeLabels(
  context: PullsContext,
  method: string,
  number: number,
  name: string | undefined,
  input: Record<string, unknown>,
): Reply {
  const issue = context.issues.get(number);
  if (issue === undefined) return context.notFound;
  const list = () => ({
    status: 200,
    body: issue.labels.map((label, index) => ({ id: index + 1, name: label })),
  });
  if (name === undefined && method === "GET") return list();
  if (name === undefined && method === "POST") {
    const labels = input.labels;
    if (!Array.isArray(labels) || labels.some((label) => typeof label !== "string" || label === "")) {
      return {
        status: 422,
        body: {
          message: "Invalid request.\n\nFor 'links/0/schema', nil is not an array.",
          documentation_url: DOCS,
        },
      };
    }
    for (const label of labels as string[]) if (!issue.labels.includes(label)) issue.labels.push(label);
    return list();
  }
  if (name !== undefined && method === "DELETE") {
    const label = decodeURIComponent(name);
    if (!issue.labels.includes(label)) {
      return { status: 404, body: { message: "Label does not exist", documentation_url: DOCS } };
    }
    issue.labels = issue.labels.filter((each) => each !== label);
    return list();
  }
  return context.notFound;
}
