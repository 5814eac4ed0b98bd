import type { PolicyRepo } from "../../repos/policy-repo.js";
import type { PullRequest, PullRequestHost } from "../../repos/pull-request-host.js";
import { GitHubApiError } from "../../repos/github/github-request.js";
import type { SyncResult } from "../sync-branch.js";
import { identitiesDir, SYNC_BRANCH } from "../sync-branch.js";
import { renderSyncBody } from "./render-sync-body.js";
import { renderSyncTitle } from "./render-sync-title.js";
import { identitiesOf, syncAccessDiff } from "./sync-access-diff.js";

export interface SyncPullRequestOptions {
  readonly repo: PolicyRepo;
  readonly pulls: PullRequestHost;
  /** DESIGN §9 `POLICY_DIR`. */
  readonly policyDir: string;
  /** For bindings' `expires:` when the access diff is compiled. */
  readonly now: () => Date;
}

/**
 * none: main holds everything (the branch is gone, GitHub closed its PR); opened, updated: the PR now says
 * what the branch holds; unchanged: it already did, so nothing was sent.
 */
export type SyncPullRequestOutcome =
  | { readonly kind: "none" }
  | { readonly kind: "opened" | "updated" | "unchanged"; readonly pull: PullRequest };

/**
 * Keeps exactly one open PR from `scim-gitops/sync` into the base branch after each flush (DESIGN §5): it
 * is found by its head branch after a start, so a restarted bot picks its PR up again and never opens a
 * second, and then edited directly, the edit's answer saying whether a person merged or closed it
 * meanwhile; its title and body are rewritten only when what they say changed. Main's policy is read once per
 * main head; the head's identities come from the flush itself.
 */
export class SyncPullRequest {
  readonly #options: SyncPullRequestOptions;
  #main: { readonly sha: string; readonly files: Map<string, string> } | undefined;
  /** The PR as this process last saw it open; an edit's answer says whether it still is. */
  #pull: PullRequest | undefined;

  constructor(options: SyncPullRequestOptions) {
    this.#options = options;
  }

  async afterFlush(result: SyncResult): Promise<SyncPullRequestOutcome> {
    const { repo, pulls } = this.#options;
    if (result.head === undefined) return { kind: "none" };
    const { title, body } = await this.#render(result, result.head);
    const known = this.#pull;
    if (known !== undefined) {
      // The body names the head, so a new commit always edits it: that edit's answer is the look.
      if (known.title === title && known.body === body) return { kind: "unchanged", pull: known };
      const updated = await pulls.update(known.number, { title, body });
      if (updated.state === "open") return this.#seen({ kind: "updated", pull: updated });
      this.#pull = undefined;
    }
    const found = await pulls.findOpen(SYNC_BRANCH);
    if (found !== undefined) return this.#bringUpToDate(found, title, body);
    try {
      const pull = await pulls.open({ head: SYNC_BRANCH, base: repo.baseBranch, title, body });
      return this.#seen({ kind: "opened", pull });
    } catch (error) {
      // GitHub's 422 "A pull request already exists": another instance or a restart got there between the
      // look and the open. The winner's PR is the one, and it gets this flush's title and body.
      if (!(error instanceof GitHubApiError && error.status === 422)) throw error;
      const winner = await pulls.findOpen(SYNC_BRANCH);
      if (winner === undefined) throw error;
      return this.#bringUpToDate(winner, title, body);
    }
  }

  async #bringUpToDate(pull: PullRequest, title: string, body: string): Promise<SyncPullRequestOutcome> {
    if (pull.title === title && pull.body === body) return this.#seen({ kind: "unchanged", pull });
    return this.#seen({
      kind: "updated",
      pull: await this.#options.pulls.update(pull.number, { title, body }),
    });
  }

  #seen(outcome: SyncPullRequestOutcome & { readonly pull: PullRequest }): SyncPullRequestOutcome {
    this.#pull = outcome.pull;
    return outcome;
  }

  async #render(result: SyncResult, head: string): Promise<{ title: string; body: string }> {
    const { repo, policyDir, now } = this.#options;
    const dir = policyDir.replace(/^\/+|\/+$/g, "");
    if (this.#main?.sha !== result.base) {
      const files = await repo.readFiles(result.base, dir);
      // What `validate` reads: editor schemas and READMEs beside the policy are not part of it.
      this.#main = { sha: result.base, files: new Map([...files].filter(([path]) => /\.ya?ml$/.test(path))) };
    }
    const main = this.#main.files;
    const headIdentities =
      result.known?.head === head ? result.known.files : await repo.readFiles(head, identitiesDir(policyDir));
    const diff = syncAccessDiff(main, headIdentities, { dir, now: now() });
    return {
      title: renderSyncTitle(identitiesOf(main), headIdentities),
      body: renderSyncBody({
        diff,
        operations: result.carried,
        base: result.base,
        head,
        baseBranch: repo.baseBranch,
      }),
    };
  }
}
