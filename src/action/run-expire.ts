import { resolve } from "node:path";
import { appendStepSummary, setOutput } from "./action-io.js";
import type { ActionRun } from "./action-run.js";
import { EXPIRE_BRANCH, pushExpiryBranch } from "./expiry-branch.js";
import {
  renderExpiryBody,
  renderExpiryCommitMessage,
  renderExpiryTitle,
  renderNothingExpiredComment,
  reviewReason,
  type ExpiryRoute,
} from "./expiry-pull-request.js";
import { expiryFromJson } from "./expiry-report.js";
import { GitHubPulls } from "./github-pulls.js";
import { escapeCommandData } from "./workflow-commands.js";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from "../cli/errors.js";
import { proveExpiryRemoval } from "../policy/expiry/prove-expiry-removal.js";
import type { PolicyFiles } from "../policy/model/model.js";
import { EMERGENCY_LABEL } from "../proposals/github/github-emergency-host.js";
import { findMassRevocation } from "../proposals/mass-revocation-guard.js";
import type { FileChange } from "../repos/policy-repo.js";
import { readPolicyDir } from "../repos/policy-files.js";
import { POLICY_TARGETS } from "../targets/registry.js";

/**
 * The scheduled expiry proposal: `expire` lists the bindings past their last day; when there are any, it
 * removes them (`--write`), the removal is proven (nothing changes today, nothing is granted against what
 * the bindings gave), and one pull request from `scim-gitops/expire` holds it, labelled
 * `emergency-deprovision` when settings `emergency.expiry` says so and the mass-revocation guard allows.
 * With nothing expired, an open expiry PR is closed.
 */
export async function runExpire(run: ActionRun): Promise<number> {
  const { environment } = run;
  const { token, apiUrl, repository } = environment;
  if (token === undefined) {
    run.log("::error::expire opens a pull request: give the action a github-token\n");
    return EXIT_ERROR;
  }
  const pulls = new GitHubPulls({ apiUrl, token, repository });
  const now = run.now();
  const args = [
    "--policies",
    environment.policyDir,
    "--now",
    now.toISOString(),
    ...(environment.expiryWarnDays === undefined ? [] : ["--warn-days", String(environment.expiryWarnDays)]),
  ];
  const root = resolve(environment.workspace, environment.policyDir);
  const before = await readPolicyDir(root);

  const listed = await run.cli(["expire", ...args, "--format", "json"]);
  if (listed.code !== EXIT_OK && listed.code !== EXIT_CHANGES) {
    await appendStepSummary(environment, failed("expire failed", listed.stderr));
    return EXIT_ERROR;
  }
  const report = expiryFromJson(listed.stdout);
  await setOutput(environment, "expired", String(report.expired.length > 0));
  if (report.expired.length === 0) {
    await appendStepSummary(
      environment,
      `## scim-gitops: expired bindings\n\nNone as of ${report.today} (UTC).\n`,
    );
    const open = await pulls.findOpenByHead(EXPIRE_BRANCH);
    if (open !== undefined) {
      await pulls.close(
        open.number,
        renderNothingExpiredComment(report.today, environment.sha, environment.runUrl),
      );
    }
    return EXIT_OK;
  }

  const written = await run.cli(["expire", ...args, "--write", "--format", "markdown"]);
  if (written.code !== EXIT_CHANGES) {
    await appendStepSummary(environment, failed("expire --write failed", written.stderr));
    return EXIT_ERROR;
  }
  const after = await readPolicyDir(root);
  const proof = proveExpiryRemoval(before, after, report.expired, {
    dir: environment.policyDir,
    now,
    targets: POLICY_TARGETS,
  });
  if (proof.verdict === "refused") {
    await appendStepSummary(environment, `${written.stdout}\n${failed("Not proposed", proof.reason)}`);
    run.log(`::error::${escapeCommandData(`the expiry removal was not proposed: ${proof.reason}`)}\n`);
    return EXIT_ERROR;
  }
  const why = reviewReason(proof, findMassRevocation(proof.diff, proof.holders, proof.settings.guards));
  const route: ExpiryRoute = why === undefined ? { kind: "emergency" } : { kind: "review", why };
  const proposal = {
    expired: report.expired,
    today: report.today,
    removal: written.stdout,
    proof,
    route,
    runUrl: environment.runUrl,
  };
  const branch = await pushExpiryBranch({
    workspace: environment.workspace,
    changes: changedFiles(before, after, environment.policyDir),
    message: renderExpiryCommitMessage(proposal),
  });
  const content = { title: renderExpiryTitle(report.expired), body: renderExpiryBody(proposal) };
  const open = await pulls.findOpenByHead(EXPIRE_BRANCH);
  const pull = open ?? (await pulls.create({ head: EXPIRE_BRANCH, base: environment.refName, ...content }));
  if (open !== undefined) await pulls.update(open.number, content);
  const labelled = pull.labels.includes(EMERGENCY_LABEL);
  if (route.kind === "emergency" && !labelled) await pulls.addLabel(pull.number, EMERGENCY_LABEL);
  // Settings or the guard changed since it was labelled: the App must not take it any more.
  if (route.kind === "review" && labelled) await pulls.removeLabel(pull.number, EMERGENCY_LABEL);

  await setOutput(environment, "pull-request", String(pull.number));
  await appendStepSummary(environment, content.body);
  run.log(
    `::notice::${escapeCommandData(
      `${open === undefined ? "opened" : "updated"} pull request #${pull.number} removing ${report.expired.length} expired binding(s)${branch.pushed ? "" : " (the branch already held this change)"}; ${route.kind === "emergency" ? `labelled ${EMERGENCY_LABEL}` : "it waits for review"}`,
    )}\n`,
  );
  return EXIT_OK;
}

/** The edited access files, as paths from the repository root. */
function changedFiles(before: PolicyFiles, after: PolicyFiles, policyDir: string): FileChange[] {
  const prefix = policyDir === "." || policyDir === "" ? "" : `${policyDir.replace(/\/+$/, "")}/`;
  const changes: FileChange[] = [];
  for (const [path, content] of after) {
    if (before.get(path) !== content) changes.push({ path: `${prefix}${path}`, content });
  }
  return changes;
}

function failed(title: string, text: string): string {
  return [`### ${title}`, "", "```", text.trimEnd(), "```", ""].join("\n");
}
