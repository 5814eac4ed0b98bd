import { exampleOf } from "./fake-github-schemas.js";
import type { FakeCheckRun, FakeRepoState } from "./fake-github-state.js";
import { timestamp } from "./fake-github-state.js";
import type { ReplyBody } from "./fake-github.js";

export interface ChecksRequest {
  readonly state: FakeRepoState;
  readonly owner: string;
  readonly repo: string;
  readonly url: string;
  readonly web: string;
  readonly appId: number;
  readonly method: string;
  /** The path after `/repos/{owner}/{repo}`. */
  readonly rest: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

/** GitHub refuses longer `output.summary` and `output.text` values. */
const OUTPUT_LIMIT = 65_535;

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: FakeCheckRun["status"];
  conclusion?: string;
  output?: { title?: string; summary?: string };
}

const invalid = (message: string): ReplyBody => ({
  status: 422,
  body: { message, documentation_url: "https://docs.github.com/rest/checks/runs", status: "422" },
});

function checkRunData(request: ChecksRequest, run: FakeCheckRun): Record<string, unknown> {
  const template = exampleOf("POST /repos/{owner}/{repo}/check-runs") as Record<string, unknown>;
  const api = `${request.url}/repos/${request.owner}/${request.repo}`;
  return {
    ...template,
    id: run.id,
    node_id: Buffer.from(`CheckRun:${run.id}`).toString("base64"),
    head_sha: run.headSha,
    external_id: "",
    url: `${api}/check-runs/${run.id}`,
    html_url: `${request.web}/${request.owner}/${request.repo}/runs/${run.id}`,
    details_url: null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    name: run.name,
    output: {
      title: run.title,
      summary: run.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: 1 },
    app: { ...(template["app"] as Record<string, unknown>), id: request.appId },
    pull_requests: [],
  };
}

/** What GitHub refuses in a check run body, or undefined. */
function refusal(body: CheckRunBody): ReplyBody | undefined {
  const summary = body.output?.summary;
  if (summary !== undefined && summary.length > OUTPUT_LIMIT) {
    return invalid(
      `Invalid request.\n\nOnly ${OUTPUT_LIMIT} characters are allowed; ${summary.length} were supplied.`,
    );
  }
  if (body.status === "completed" && body.conclusion === undefined)
    return invalid("Invalid request.\n\nNo conclusion given for a completed check run.");
  return undefined;
}

/** Completing a run stamps it, and a conclusion alone completes it, as GitHub does. */
function apply(run: FakeCheckRun, body: CheckRunBody): void {
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = "completed";
  } else if (body.status !== undefined) run.status = body.status;
  if (run.status === "completed") run.completedAt ??= timestamp();
  if (body.output?.title !== undefined) run.title = body.output.title;
  if (body.output?.summary !== undefined) run.summary = body.output.summary;
}

/** Check runs: create, update, list for a ref; undefined for paths this does not model. */
export async function routeCheckRun(request: ChecksRequest): Promise<ReplyBody | undefined> {
  const { state, method, rest } = request;
  if (method === "POST" && rest === "/check-runs") {
    const body = request.body as CheckRunBody;
    if (body.name === undefined || body.head_sha === undefined)
      return invalid('Invalid request.\n\n"name" and "head_sha" weren\'t supplied.');
    if ((await state.store.objectType(body.head_sha)) !== "commit")
      return invalid("No commit found for SHA: " + body.head_sha);
    const refused = refusal(body);
    if (refused !== undefined) return refused;
    const run = state.addCheckRun({
      name: body.name,
      headSha: body.head_sha,
      status: "queued",
      conclusion: null,
      title: null,
      summary: null,
      startedAt: timestamp(),
      completedAt: null,
    });
    apply(run, body);
    return { status: 201, body: checkRunData(request, run) };
  }
  const update = /^\/check-runs\/(\d+)$/.exec(rest);
  if (method === "PATCH" && update !== null) {
    const run = state.checkRuns.find((candidate) => candidate.id === Number(update[1]));
    if (run === undefined) return { status: 404, body: { message: "Not Found", status: "404" } };
    const body = request.body as CheckRunBody;
    const refused = refusal(body);
    if (refused !== undefined) return refused;
    apply(run, body);
    return { status: 200, body: checkRunData(request, run) };
  }
  const list = /^\/commits\/(.+)\/check-runs$/.exec(rest);
  if (method === "GET" && list !== null) {
    const ref = decodeURIComponent(list[1] ?? "");
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : await state.store.ref(`refs/heads/${ref}`);
    const name = request.query.get("check_name");
    const runs = state.checkRuns
      .filter((run) => run.headSha === sha && (name === null || run.name === name))
      .sort((a, b) => b.id - a.id);
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: runs.map((run) => checkRunData(request, run)) },
    };
  }
  return undefined;
}
