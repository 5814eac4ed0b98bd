import type { FakeGitStore } from "./fake-git-store.js";

/** What a branch ruleset or protection requires before a PR into that branch may merge. */
export interface FakeBranchRules {
  readonly requiredChecks: readonly string[];
  readonly requiredApprovals?: number;
}

export interface FakeAutoMerge {
  readonly expectedHead: string | undefined;
  readonly headline: string;
  readonly body: string;
  readonly enabledAt: string;
}

export interface FakePull {
  readonly number: number;
  readonly head: string;
  readonly base: string;
  title: string;
  body: string;
  state: "open" | "closed";
  readonly createdAt: string;
  updatedAt: string;
  closedAt?: string;
  mergeCommit?: string;
  /** Why GitHub refuses to merge it regardless of checks; a merge answers 405 with this. */
  blockedBy?: string;
  labels: string[];
  approvals: number;
  autoMerge?: FakeAutoMerge | undefined;
}

export interface FakeCheckRun {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  readonly startedAt: string;
  completedAt: string | null;
}

/** Something a webhook is delivered for; the webhook module shapes the payload. */
export type FakeEvent =
  | { readonly name: "push"; readonly ref: string; readonly before: string; readonly after: string }
  | {
      readonly name: "pull_request";
      readonly action: "opened" | "synchronize" | "reopened" | "closed" | "labeled" | "edited";
      readonly pull: FakePull;
      readonly label?: string;
      readonly before?: string;
    };

/** GitHub's timestamp format (seconds, `Z`). */
export const timestamp = (at = Date.now()) => new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");

export interface MergeState {
  readonly mergeable: boolean | null;
  readonly state: "clean" | "unstable" | "blocked" | "dirty" | "unknown";
  /** GitHub's 405 message when the state is `blocked`. */
  readonly reason?: string;
}

/** The repository's mutable state beside its git objects: PRs, check runs, rules, settings. */
export class FakeRepoState {
  readonly pulls = new Map<number, FakePull>();
  readonly checkRuns: FakeCheckRun[] = [];
  /** Rules by base branch; a PR into a branch with rules merges only when they are met. */
  readonly rules = new Map<string, FakeBranchRules>();
  /** The repository setting "Allow auto-merge". */
  allowAutoMerge = true;
  private nextCheckRunId = 1;
  private mergeTurn: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((event: FakeEvent) => void)[] = [];

  constructor(readonly store: FakeGitStore) {
    store.onRefUpdate = (ref, before, after) => this.refMoved(ref, before, after);
  }

  onEvent(listener: (event: FakeEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: FakeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  addCheckRun(run: Omit<FakeCheckRun, "id">): FakeCheckRun {
    const stored = { ...run, id: this.nextCheckRunId++ };
    this.checkRuns.push(stored);
    return stored;
  }

  /** A new open pull request, as a person opens one in the web UI or the App through the API. */
  openPull(request: { head: string; base: string; title: string; body: string }): FakePull {
    const now = timestamp();
    const pull: FakePull = {
      number: this.pulls.size + 1,
      ...request,
      state: "open",
      createdAt: now,
      updatedAt: now,
      labels: [],
      approvals: 0,
    };
    this.pulls.set(pull.number, pull);
    this.emit({ name: "pull_request", action: "opened", pull });
    return pull;
  }

  /** Adds the labels the PR does not have yet, one `labeled` event each. */
  addLabels(pull: FakePull, labels: readonly string[]): void {
    const added = labels.filter((label) => !pull.labels.includes(label));
    pull.labels.push(...added);
    for (const label of added) this.emit({ name: "pull_request", action: "labeled", pull, label });
  }

  async headSha(pull: FakePull): Promise<string> {
    return (await this.store.ref(`refs/heads/${pull.head}`)) ?? "";
  }

  /** As GitHub computes `mergeable_state`: conflicts, then rules (required checks, approvals), then other checks. */
  async mergeState(pull: FakePull): Promise<MergeState> {
    if (pull.state !== "open") return { mergeable: null, state: "unknown" };
    const head = await this.headSha(pull);
    const base = (await this.store.ref(`refs/heads/${pull.base}`)) ?? "";
    if ("conflicts" in (await this.store.mergeTree(base, head))) return { mergeable: false, state: "dirty" };
    if (pull.blockedBy !== undefined) return { mergeable: false, state: "blocked", reason: pull.blockedBy };
    const latest = new Map<string, FakeCheckRun>();
    for (const run of this.checkRuns) if (run.headSha === head) latest.set(run.name, run);
    const passed = (run: FakeCheckRun | undefined) =>
      run?.status === "completed" && ["success", "neutral", "skipped"].includes(run.conclusion ?? "");
    const rules = this.rules.get(pull.base);
    for (const name of rules?.requiredChecks ?? []) {
      const run = latest.get(name);
      if (passed(run)) continue;
      const how = run === undefined ? "expected" : run.status === "completed" ? "failing" : "in progress";
      return { mergeable: false, state: "blocked", reason: `Required status check "${name}" is ${how}.` };
    }
    const approvals = rules?.requiredApprovals ?? 0;
    if (pull.approvals < approvals) {
      const reason = `At least ${approvals} approving review${approvals === 1 ? " is" : "s are"} required by reviewers with write access.`;
      return { mergeable: false, state: "blocked", reason };
    }
    const unstable = [...latest.values()].some((run) => run.status === "completed" && !passed(run));
    return { mergeable: true, state: unstable ? "unstable" : "clean" };
  }

  /**
   * Merges with a merge commit as GitHub does; `sha` pins the head. The base moving meanwhile recomputes
   * the merge (GitHub merges atomically on its side).
   */
  merge(
    pull: FakePull,
    request: { sha?: string | undefined; title?: string | undefined; message?: string | undefined },
  ): Promise<{ status: 200; sha: string } | { status: 405 | 409; message: string }> {
    // GitHub merges one PR at a time per base: two requests (a person's and auto-merge's) never both win.
    const merged = this.mergeTurn.then(() => this.mergeNow(pull, request));
    this.mergeTurn = merged.catch(() => undefined);
    return merged;
  }

  private async mergeNow(
    pull: FakePull,
    request: { sha?: string | undefined; title?: string | undefined; message?: string | undefined },
  ): Promise<{ status: 200; sha: string } | { status: 405 | 409; message: string }> {
    if (pull.state !== "open") return { status: 405, message: "Pull Request is not mergeable" };
    const state = await this.mergeState(pull);
    if (state.state === "dirty") return { status: 405, message: "Pull Request is not mergeable" };
    if (state.state === "blocked")
      return { status: 405, message: state.reason ?? "Pull Request is not mergeable" };
    const head = await this.headSha(pull);
    if (request.sha !== undefined && request.sha !== head) {
      return { status: 409, message: "Head branch was modified. Review and try the merge again." };
    }
    const baseRef = `refs/heads/${pull.base}`;
    const title = request.title ?? `Merge pull request #${pull.number} from ${pull.head}`;
    const text = `${title}\n\n${request.message ?? ""}`.replace(/\n*$/, "\n");
    for (;;) {
      const base = (await this.store.ref(baseRef)) ?? "";
      const merged = await this.store.mergeTree(base, head);
      if ("conflicts" in merged) return { status: 405, message: "Pull Request is not mergeable" };
      const commit = await this.store.writeCommit(merged.tree, [base, head], text);
      // Closed before the ref moves, so the push it causes sees a merged PR, not one to synchronize.
      pull.state = "closed";
      pull.mergeCommit = commit;
      pull.autoMerge = undefined;
      pull.closedAt = pull.updatedAt = timestamp();
      if (await this.store.updateRef(baseRef, commit, base)) {
        this.emit({ name: "pull_request", action: "closed", pull });
        return { status: 200, sha: commit };
      }
      pull.state = "open";
      pull.mergeCommit = undefined;
      pull.closedAt = undefined;
    }
  }

  /** GitHub's side of auto-merge: an armed PR merges as soon as its rules are met, at the pinned head. */
  async runAutoMerges(): Promise<void> {
    for (const pull of this.pulls.values()) {
      const armed = pull.autoMerge;
      if (pull.state !== "open" || armed === undefined) continue;
      const state = await this.mergeState(pull);
      if (state.state !== "clean" && state.state !== "unstable") continue;
      const head = await this.headSha(pull);
      // expectedHeadOid's effect on the final merge is undocumented (reference/github.md §4); this fake
      // holds the merge back rather than merge a head nobody pinned.
      if (armed.expectedHead !== undefined && armed.expectedHead !== head) continue;
      await this.merge(pull, { sha: head, title: armed.headline, message: armed.body });
    }
  }

  private refMoved(ref: string, before: string, after: string): void {
    this.emit({ name: "push", ref, before, after });
    if (!ref.startsWith("refs/heads/")) return;
    const branch = ref.slice("refs/heads/".length);
    if (after === "") {
      // GitHub closes a PR whose head branch is deleted.
      for (const pull of this.pulls.values()) {
        if (pull.state !== "open" || pull.head !== branch) continue;
        pull.state = "closed";
        pull.autoMerge = undefined;
        pull.closedAt = pull.updatedAt = timestamp();
        this.emit({ name: "pull_request", action: "closed", pull });
      }
      return;
    }
    for (const pull of this.pulls.values()) {
      if (pull.state === "open" && pull.head === branch) {
        pull.updatedAt = timestamp();
        this.emit({ name: "pull_request", action: "synchronize", pull, before });
      }
    }
  }
}
