import type { CheckConclusion, CheckRun, CheckRunReport, CheckStatus } from "../pull-request-host.js";
import type { GitHubClient } from "./github-request.js";
import { requestGitHub } from "./github-request.js";

/** GitHub refuses a check run `output.summary` longer than this (reference/github.md §6). */
export const CHECK_SUMMARY_LIMIT = 65_535;
const TRUNCATED =
  "\n\n… (truncated to fit GitHub's 65,535-character limit; run `scim-gitops diff` for all of it)";

interface CheckRunData {
  readonly id: number;
  readonly name: string;
  readonly head_sha: string;
  readonly status: CheckStatus;
  readonly conclusion: CheckConclusion | null;
}

/** Cuts at a code point (never half a surrogate pair) and says that it did. */
export function fitCheckSummary(summary: string): string {
  if (summary.length <= CHECK_SUMMARY_LIMIT) return summary;
  let end = CHECK_SUMMARY_LIMIT - TRUNCATED.length;
  const last = summary.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return summary.slice(0, end) + TRUNCATED;
}

function toCheckRun(data: CheckRunData): CheckRun {
  return {
    id: data.id,
    name: data.name,
    headSha: data.head_sha,
    status: data.status,
    conclusion: data.conclusion ?? undefined,
  };
}

function body(report: CheckRunReport): Record<string, unknown> {
  return {
    name: report.name,
    status: report.status,
    ...(report.conclusion === undefined ? {} : { conclusion: report.conclusion }),
    output: { title: report.title, summary: fitCheckSummary(report.summary) },
  };
}

export async function createCheckRun(
  client: GitHubClient,
  name: { owner: string; repo: string },
  report: CheckRunReport,
): Promise<CheckRun> {
  const response = await requestGitHub(client, "POST /repos/{owner}/{repo}/check-runs", {
    ...name,
    head_sha: report.headSha,
    ...body(report),
  });
  return toCheckRun(response.data as CheckRunData);
}

export async function updateCheckRun(
  client: GitHubClient,
  name: { owner: string; repo: string },
  id: number,
  report: CheckRunReport,
): Promise<CheckRun> {
  const response = await requestGitHub(client, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    ...name,
    check_run_id: id,
    ...body(report),
  });
  return toCheckRun(response.data as CheckRunData);
}

export async function listCheckRuns(
  client: GitHubClient,
  name: { owner: string; repo: string },
  sha: string,
  checkName?: string,
): Promise<CheckRun[]> {
  const response = await requestGitHub(client, "GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...name,
    ref: sha,
    per_page: 100,
    ...(checkName === undefined ? {} : { check_name: checkName }),
  });
  return (response.data as { check_runs: readonly CheckRunData[] }).check_runs.map(toCheckRun);
}
