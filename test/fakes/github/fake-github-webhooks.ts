import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { FakeCheckRun, FakeEvent, FakePull, FakeRepoState } from "./fake-github-state.js";

interface ExampleGroup {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}
const EXAMPLES = createRequire(import.meta.url)("@octokit/webhooks-examples") as readonly ExampleGroup[];

/** A payload from @octokit/webhooks-examples for `name` and `action`, copied so it can be filled in. */
function example(name: string, action?: string): Record<string, unknown> {
  const group = EXAMPLES.find((candidate) => candidate.name === name);
  const found = group?.examples.find((candidate) => action === undefined || candidate["action"] === action);
  if (found === undefined) throw new Error(`@octokit/webhooks-examples has no ${name}.${action ?? ""}`);
  return structuredClone(found);
}

export interface FakeDelivery {
  readonly id: string;
  readonly name: string;
  readonly action: string | undefined;
  readonly payload: Record<string, unknown>;
  /** The receiver's status, or undefined when no URL was set (nothing was sent). */
  status?: number;
}

export interface WebhookTarget {
  readonly state: FakeRepoState;
  readonly owner: string;
  readonly repo: string;
  /** The API base URL for payload links. */
  readonly url: string;
  readonly web: string;
  readonly installationId: number;
}

type Json = Record<string, unknown>;

/**
 * GitHub's webhook deliveries for one repository: payloads built from @octokit/webhooks-examples, signed
 * with `X-Hub-Signature-256` (HMAC-SHA256 over the raw body), sent in order to `url` over real HTTP.
 * PR and push events follow the fake's state by themselves; check_run and check_suite are sent on request.
 */
export class FakeWebhooks {
  /** Where deliveries go; while it is undefined nothing is built, recorded or sent (the fake stays cheap). */
  url: string | undefined;
  readonly deliveries: FakeDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** Deliveries wait on this while paused, so a test can order what the receiver sees. */
  private gate: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  /** Payloads still being built (they read the repository), which `idle` must wait for too. */
  private readonly building = new Set<Promise<void>>();

  constructor(
    private readonly target: WebhookTarget,
    readonly secret: string,
  ) {
    target.state.onEvent((event) => this.follow(event));
  }

  /** Holds deliveries back (still queued, in order) until `resume`; `idle` would wait for that. */
  pause(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  resume(): void {
    this.release?.();
    this.release = undefined;
  }

  /** Resolves once every delivery queued so far has been answered. */
  async idle(): Promise<void> {
    for (let seen = -1; seen !== this.deliveries.length || this.building.size > 0;) {
      seen = this.deliveries.length;
      await Promise.all([...this.building]);
      await this.queue;
    }
  }

  /** Sends `check_run` (a person pressing "Re-run" sends `rerequested`); resolves once it is queued. */
  async checkRun(action: "created" | "completed" | "rerequested", run: FakeCheckRun): Promise<void> {
    const payload = this.common(example("check_run", action));
    const template = payload["check_run"] as Json;
    const pulls = await this.pullsAt(run.headSha);
    payload["check_run"] = {
      ...template,
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      check_suite: { ...(template["check_suite"] as Json), head_sha: run.headSha, pull_requests: pulls },
      pull_requests: pulls,
    };
    this.send("check_run", payload);
  }

  async checkSuite(
    action: "requested" | "rerequested" | "completed",
    headSha: string,
    headBranch: string,
  ): Promise<void> {
    const payload = this.common(example("check_suite", action));
    payload["check_suite"] = {
      ...(payload["check_suite"] as Json),
      head_sha: headSha,
      head_branch: headBranch,
      pull_requests: await this.pullsAt(headSha),
    };
    this.send("check_suite", payload);
  }

  /** Signs and queues one delivery. */
  send(name: string, payload: Json): void {
    const delivery: FakeDelivery = {
      id: randomUUID(),
      name,
      action: typeof payload["action"] === "string" ? payload["action"] : undefined,
      payload,
    };
    this.deliveries.push(delivery);
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", this.secret).update(body).digest("hex")}`;
    this.queue = this.queue.then(async () => {
      await this.gate;
      if (this.url === undefined) return;
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/fake",
          "x-github-event": name,
          "x-github-delivery": delivery.id,
          "x-github-hook-installation-target-type": "integration",
          "x-hub-signature-256": signature,
        },
        body,
      }).catch(() => undefined);
      delivery.status = response?.status ?? 0;
      await response?.text();
    });
  }

  private follow(event: FakeEvent): void {
    if (this.url === undefined) return;
    if (event.name === "push") {
      const payload = this.common(example("push"));
      const deleted = event.after === "";
      Object.assign(payload, {
        ref: event.ref,
        before: event.before === "" ? "0".repeat(40) : event.before,
        after: deleted ? "0".repeat(40) : event.after,
        created: event.before === "",
        deleted,
        forced: false,
        compare: `${this.target.web}/${this.target.owner}/${this.target.repo}/compare/${event.before || "0"}...${event.after || "0"}`,
        commits: [],
        head_commit: deleted ? null : { ...(payload["head_commit"] as Json), id: event.after },
      });
      this.send("push", payload);
      return;
    }
    const building: Promise<void> = this.pullRequest(
      event.action,
      event.pull,
      event.label,
      event.before,
    ).finally(() => this.building.delete(building));
    this.building.add(building);
  }

  private async pullRequest(action: string, pull: FakePull, label?: string, before?: string): Promise<void> {
    // Built now, so the payload carries the PR as it was when the event happened.
    const head = await this.target.state.headSha(pull);
    const base = (await this.target.state.store.ref(`refs/heads/${pull.base}`)) ?? "";
    const source = action === "edited" ? "opened" : action;
    const payload = this.common(example("pull_request", source));
    const template = payload["pull_request"] as Json;
    const side = (branch: string, sha: string, part: Json) => ({
      ...part,
      label: `${this.target.owner}:${branch}`,
      ref: branch,
      sha,
      repo: payload["repository"],
    });
    Object.assign(payload, { action, number: pull.number });
    payload["pull_request"] = {
      ...template,
      url: `${this.target.url}/repos/${this.target.owner}/${this.target.repo}/pulls/${pull.number}`,
      html_url: `${this.target.web}/${this.target.owner}/${this.target.repo}/pull/${pull.number}`,
      node_id: Buffer.from(`PullRequest:${pull.number}`).toString("base64"),
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      labels: pull.labels.map((name) => ({ name })),
      merged: pull.mergeCommit !== undefined,
      merge_commit_sha: pull.mergeCommit ?? null,
      head: side(pull.head, head, template["head"] as Json),
      base: side(pull.base, base, template["base"] as Json),
      auto_merge: null,
    };
    if (label !== undefined) payload["label"] = { ...(payload["label"] ?? {}), name: label };
    if (before !== undefined) Object.assign(payload, { before, after: head });
    this.send("pull_request", payload);
  }

  /** The open PRs whose head is `sha`, as check payloads list them. */
  private async pullsAt(sha: string): Promise<Json[]> {
    const found: Json[] = [];
    for (const pull of this.target.state.pulls.values()) {
      if (pull.state !== "open" || (await this.target.state.headSha(pull)) !== sha) continue;
      found.push({
        url: `${this.target.url}/repos/${this.target.owner}/${this.target.repo}/pulls/${pull.number}`,
        id: 1000 + pull.number,
        number: pull.number,
        head: { ref: pull.head, sha },
        base: { ref: pull.base, sha: (await this.target.state.store.ref(`refs/heads/${pull.base}`)) ?? "" },
      });
    }
    return found;
  }

  private common(payload: Json): Json {
    const repository = payload["repository"] as Json;
    payload["repository"] = {
      ...repository,
      name: this.target.repo,
      full_name: `${this.target.owner}/${this.target.repo}`,
      owner: { ...(repository["owner"] as Json), login: this.target.owner },
      url: `${this.target.url}/repos/${this.target.owner}/${this.target.repo}`,
      html_url: `${this.target.web}/${this.target.owner}/${this.target.repo}`,
      default_branch: "main",
    };
    payload["installation"] = {
      id: this.target.installationId,
      node_id: Buffer.from(`Installation:${this.target.installationId}`).toString("base64"),
    };
    return payload;
  }
}
