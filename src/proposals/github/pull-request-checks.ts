import type { AccessDiff } from "../../policy/diff/access-change.js";
import { diffAccess } from "../../policy/diff/access-diff.js";
import { compilePolicy } from "../../policy/compile/compile.js";
import type { LoadResult } from "../../policy/load/load.js";
import { loadPolicy } from "../../policy/load/load.js";
import { renderAccessDiffMarkdown } from "../../policy/render/render-access-diff-markdown.js";
import { summariseAccessDiff } from "../../policy/render/render-access-diff-lines.js";
import { renderValidation } from "../../policy/render/render-validation.js";
import type { PolicyRepo } from "../../repos/policy-repo.js";
import { RefNotFoundError } from "../../repos/policy-repo.js";
import type { CheckConclusion, PullRequestHost } from "../../repos/pull-request-host.js";
import { POLICY_TARGETS } from "../../targets/registry.js";
import { proveLoadedRevocationOnly } from "../prove-revocation-only.js";
import { EMERGENCY_LABEL } from "./github-emergency-host.js";
import type { ExpiryMergeOutcome } from "./merge-proven-expiry.js";
import {
  isExpiryProposal,
  judgeExpiryProposal,
  mergeProvenExpiry,
  renderExpiryNote,
} from "./merge-proven-expiry.js";

export const REVOCATION_GUARD_CHECK = "revocation-guard";
export const ACCESS_DIFF_CHECK = "access-diff";

/** Room for the verdict and notes above the table, inside GitHub's 65,535-character summary. */
const TABLE_BUDGET = 60_000;

export interface PullRequestChecksOptions {
  readonly repo: PolicyRepo;
  readonly pulls: PullRequestHost;
  /** DESIGN §9 `POLICY_DIR`. */
  readonly policyDir: string;
  /** For bindings' `expires:` when both revisions are compiled. */
  readonly now: () => Date;
}

export interface PullRequestCheckResult {
  readonly guard: "success" | "failure";
  readonly headSha: string;
  /** False when the PR's head moved while the checks were computed: the newer head gets its own. */
  readonly posted: boolean;
  /** For the `policy-expire` workflow's labelled PR whose guard passed: what the App did with it. */
  readonly expiry?: ExpiryMergeOutcome;
}

interface Verdict {
  readonly guard: "success" | "failure";
  readonly title: string;
  readonly summary: string;
}

/**
 * The App's two checks on a pull request's head (DESIGN §5, reference/github.md §4), so branch rules can
 * require them:
 * - `revocation-guard`: success for an ordinary PR (a person reviews it); for one labelled
 *   `emergency-deprovision`, success only when the access diff from the base branch to the head is
 *   revocation-only (the emergency path's own proof), otherwise failure with any auto-merge on it disabled,
 *   so a PR that grants is never merged without review. A head whose policy does not load fails either way,
 *   with every problem at `file:line:col`.
 * - `access-diff`: the per-person table of what is gained and lost; neutral when anyone gains.
 *
 * The diff is base head → PR head. For a branch behind its base that also counts the base's newer changes
 * backwards, which can only make the guard fail, never pass, and the summary says to update the branch.
 *
 * The `policy-expire` workflow's PR, labelled for the emergency path, is then merged here once its guard
 * passed, when main's settings and the expiry proof allow it (`judgeExpiryProposal`); the guard's summary
 * says whether the App merges it and, if not, why.
 */
export class PullRequestChecks {
  readonly #options: PullRequestChecksOptions;

  constructor(options: PullRequestChecksOptions) {
    this.#options = options;
  }

  async check(number: number): Promise<PullRequestCheckResult> {
    const { repo, pulls } = this.#options;
    const pull = await pulls.get(number);
    const headSha = pull.head.sha;
    const base = await repo.head(pull.base.branch);
    if (base === undefined) throw new RefNotFoundError(pull.base.branch);
    const dir = this.#options.policyDir.replace(/^\/+|\/+$/g, "");
    const now = this.#options.now();
    const load = { dir, now, targets: POLICY_TARGETS };
    const [before, after] = await Promise.all([
      readPolicy(repo, base, dir).then((files) => ({ files, loaded: loadPolicy(files, load) })),
      readPolicy(repo, headSha, dir).then((files) => ({ files, loaded: loadPolicy(files, load) })),
    ]);
    const emergency = pull.labels.includes(EMERGENCY_LABEL);
    const judged = judge(before.loaded, after.loaded, after.files.size, { emergency, now });
    const expiry =
      judged.guard === "success" && isExpiryProposal(pull)
        ? await judgeExpiryProposal({ repo, pull, base, before, after, dir, now })
        : undefined;
    const verdict =
      judged.guard === "failure" && emergency && !(await repo.isAncestor(base, headSha))
        ? { ...judged, summary: `${judged.summary}\n${BEHIND_NOTE(pull.base.branch)}` }
        : expiry !== undefined
          ? { ...judged, summary: `${judged.summary}\n${renderExpiryNote(expiry)}\n` }
          : judged;
    // Before anything else, and whatever the head does next: an emergency PR that grants must not merge.
    if (verdict.guard === "failure" && emergency) await pulls.disableAutoMerge(number);
    if ((await pulls.get(number)).head.sha !== headSha) {
      return { guard: verdict.guard, headSha, posted: false };
    }
    const errors = errorsOf(after.loaded);
    await pulls.createCheckRun({
      name: ACCESS_DIFF_CHECK,
      headSha,
      status: "completed",
      conclusion: accessDiffConclusion(judged.diff),
      title: summariseAccessDiff(judged.diff),
      summary: [
        ...(errors === 0
          ? []
          : [
              `⚠️ The policy at this head has ${errors} error(s) (see \`${REVOCATION_GUARD_CHECK}\`); ` +
                "the diff covers what could be loaded.",
              "",
            ]),
        renderAccessDiffMarkdown(judged.diff, TABLE_BUDGET),
      ].join("\n"),
    });
    await pulls.createCheckRun({
      name: REVOCATION_GUARD_CHECK,
      headSha,
      status: "completed",
      conclusion: verdict.guard,
      title: verdict.title,
      summary: verdict.summary,
    });
    if (expiry === undefined) return { guard: verdict.guard, headSha, posted: true };
    // After the guard is on the head, so a ruleset requiring it does not refuse the merge.
    const outcome: ExpiryMergeOutcome = expiry.merge
      ? await mergeProvenExpiry(repo, pulls, expiry)
      : { outcome: "not-merged", reason: expiry.reason };
    return { guard: verdict.guard, headSha, posted: true, expiry: outcome };
  }
}

const BEHIND_NOTE = (branch: string) =>
  `\n> This branch is behind \`${branch}\`, so the diff also counts \`${branch}\`'s newer changes backwards: ` +
  `update the branch and the check runs again.`;

function judge(
  before: LoadResult,
  after: LoadResult,
  fileCount: number,
  context: { readonly emergency: boolean; readonly now: Date },
): Verdict & { readonly diff: AccessDiff } {
  const errors = errorsOf(after);
  if (errors > 0) {
    const diff = diffAccess(
      compilePolicy(before.policy, context.now),
      compilePolicy(after.policy, context.now),
      POLICY_TARGETS,
    );
    return {
      guard: "failure",
      title: `The policy at this head does not load: ${errors} error(s)`,
      summary: [
        "⛔ The policy cannot be judged until it loads; fix these and push again.",
        "",
        renderValidation(after.diagnostics, fileCount, "markdown"),
      ].join("\n"),
      diff,
    };
  }
  const proof = proveLoadedRevocationOnly(before, after, { now: context.now, targets: POLICY_TARGETS });
  const diff =
    proof.diff ??
    diffAccess(
      compilePolicy(before.policy, context.now),
      compilePolicy(after.policy, context.now),
      POLICY_TARGETS,
    );
  if (!context.emergency) {
    return {
      guard: "success",
      title: "Ordinary pull request: merged after a person's review",
      summary:
        `Not labelled \`${EMERGENCY_LABEL}\`, so it goes through review like any change; ` +
        `\`${ACCESS_DIFF_CHECK}\` shows who gains and loses what.\n\n${summariseAccessDiff(diff)}\n`,
      diff,
    };
  }
  if (proof.proven) {
    return {
      guard: "success",
      title: summariseAccessDiff(diff),
      summary: `✅ Proven revocation-only: nobody gains anything, so it may merge without review.\n\n${renderAccessDiffMarkdown(diff, TABLE_BUDGET)}`,
      diff,
    };
  }
  return {
    guard: "failure",
    title: `Labelled ${EMERGENCY_LABEL} but not revocation-only`,
    summary:
      `⛔ Not revocation-only (${proof.reason}): auto-merge is disabled and the App will not merge it. ` +
      `Remove the \`${EMERGENCY_LABEL}\` label to have it reviewed as an ordinary change, or drop the grants.\n\n` +
      renderAccessDiffMarkdown(diff, TABLE_BUDGET),
    diff,
  };
}

function accessDiffConclusion(diff: AccessDiff): CheckConclusion {
  return diff.revocationOnly ? "success" : "neutral";
}

function errorsOf(result: LoadResult): number {
  return result.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
}

/** What `validate` reads: the editor schemas and READMEs beside the policy are not part of it. */
async function readPolicy(repo: PolicyRepo, sha: string, dir: string): Promise<Map<string, string>> {
  const files = await repo.readFiles(sha, dir);
  return new Map([...files].filter(([path]) => /\.ya?ml$/.test(path)));
}
