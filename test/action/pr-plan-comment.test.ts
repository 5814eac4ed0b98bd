import { describe, expect, it } from "vitest";
import { PR_PLAN_MARKER, renderPrPlanComment, renderPrPlanReport } from "../../src/action/pr-plan-comment.js";
import { GITHUB_BODY_LIMIT, truncateMarkdown } from "../../src/action/truncate-markdown.js";
import { renderExpiringSoon } from "../../src/policy/render/render-expiry.js";

const RUN = "https://github.com/acme/policy/actions/runs/1";

describe("the sticky pull-request comment", () => {
  it("starts with the hidden marker and holds validation, access diff and the no-credentials note", () => {
    const body = renderPrPlanComment(
      {
        validation: "### Policy validation: passed\n",
        accessDiff: "### Access diff\n\n- bob loses acme/payments\n",
        expiringSoon: "",
        plan: undefined,
        headSha: "0123456789abcdef",
      },
      RUN,
    );
    expect(body.startsWith(`${PR_PLAN_MARKER}\n`)).toBe(true);
    expect(body).toContain("policy check for 0123456789ab");
    expect(body).toContain("- bob loses acme/payments");
    expect(body).toContain("No read-only target credentials");
  });

  it("stays under GitHub's limit when long, and points to the step summary, which keeps everything", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `| user${i}@example.com | loses | acme/ns${i} |`);
    const report = {
      validation: "ok",
      accessDiff: ["```", ...rows, "```"].join("\n"),
      expiringSoon: "",
      plan: "plan",
      headSha: "abc",
    };
    const body = renderPrPlanComment(report, RUN);
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    expect(body).toContain(`[step summary of this run](${RUN})`);
    expect(body).toContain("user0@example.com");
    expect(body).not.toContain("user4999@example.com");
    // The cut fell inside a code fence; it is closed so the pointer renders as text.
    const beforePointer = body.slice(0, body.indexOf("**Truncated.**"));
    expect((beforePointer.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(renderPrPlanReport(report)).toContain("user4999@example.com");
  });

  it("flags bindings expiring within the window in a short table, soonest first, between the diff and the plan", () => {
    const soon = renderExpiringSoon(
      [
        {
          subject: { kind: "group", name: "contractors" },
          roles: ["payments-reader", "search-indexer"],
          expires: "2026-12-10",
          at: { file: "policies/access/payments.yaml", line: 31, col: 5 },
          daysLeft: 11,
        },
        {
          subject: { kind: "user", name: "carol@example.com" },
          roles: ["payments-reader"],
          expires: "2026-11-30",
          at: { file: "policies/access/payments.yaml", line: 27, col: 5 },
          daysLeft: 1,
        },
      ],
      14,
    );
    const body = renderPrPlanComment(
      {
        validation: "ok",
        accessDiff: "### Access diff\n",
        expiringSoon: soon,
        plan: "### scim-gitops plan\n",
        headSha: "abc",
      },
      RUN,
    );
    expect(body).toContain("### Expiring soon\n\n2 bindings end within 14 days");
    expect(body).toContain(
      "| user `carol@example.com` | `payments-reader` | `policies/access/payments.yaml:27` | 2026-11-30 (tomorrow) |\n| group `contractors` | `payments-reader`, `search-indexer` | `policies/access/payments.yaml:31` | 2026-12-10 (in 11 days) |",
    );
    expect(body.indexOf("### Access diff")).toBeLessThan(body.indexOf("### Expiring soon"));
    expect(body.indexOf("### Expiring soon")).toBeLessThan(body.indexOf("### scim-gitops plan"));
    expect(renderExpiringSoon([], 14)).toBe("");
    expect(
      renderPrPlanComment(
        { validation: "ok", accessDiff: "d", expiringSoon: "", plan: "p", headSha: "abc" },
        RUN,
      ),
    ).not.toContain("Expiring soon");
  });

  it("leaves a short body as it is", () => {
    expect(truncateMarkdown("short", 100, "see elsewhere")).toBe("short");
  });
});
