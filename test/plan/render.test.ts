import { describe, expect, it } from "vitest";
import { renderPlan, MARKDOWN_ROWS_PER_TARGET } from "../../src/plan/render-plan.js";
import { renderApplySummary } from "../../src/plan/render-apply.js";
import type { GuardFinding } from "../../src/plan/guards.js";
import { change, planOf, targetPlan } from "./plan-builders.js";

const plan = planOf(
  targetPlan(
    [
      change(
        "revoke",
        "dave@example.com",
        "namespace acme/payments",
        ["consume"],
        null,
        "deprovisioned: dave@example.com is deactivated",
      ),
      change("update", "bob_ops", "namespace acme/payments", ["consume", "produce"], ["consume"]),
      change("grant", "alice|x", "tenant acme", null, "tenant admin"),
    ],
    7,
    [
      "unmanaged: app-billing holds access the policy does not know about on namespace acme/payments; left alone because pulsar.prune is false",
    ],
  ),
);
const guards: GuardFinding[] = [
  {
    target: "pulsar",
    guard: "mass-revocation",
    message: "pulsar: 2 of 7 principals holding access (29%) would lose some or all of it",
  },
];

describe("plan rendering", () => {
  it("renders text", () => {
    expect(renderPlan({ plan, guards }, "text")).toMatchSnapshot();
  });

  it("renders markdown, escaping table cells", () => {
    expect(renderPlan({ plan, guards }, "markdown")).toMatchSnapshot();
  });

  it("renders the plan itself as JSON", () => {
    expect(JSON.parse(renderPlan({ plan, guards }, "json"))).toEqual(plan);
  });

  it("truncates long markdown tables and points at the JSON plan", () => {
    const big = planOf(
      targetPlan(
        Array.from({ length: MARKDOWN_ROWS_PER_TARGET + 5 }, (_, i) =>
          change("grant", `p${i}`, "namespace acme/x", null, ["consume"]),
        ),
      ),
    );
    const text = renderPlan({ plan: big, guards: [] }, "markdown");
    expect(text).toContain("… and 5 more changes: see the JSON plan");
    expect(text.split("\n").filter((line) => line.startsWith("| + grant"))).toHaveLength(
      MARKDOWN_ROWS_PER_TARGET,
    );
  });

  it("says so when nothing changes", () => {
    expect(renderPlan({ plan: planOf(targetPlan([], 3)), guards: [] }, "text")).toBe(
      "pulsar: no changes (3 principals hold access)\n\nNo changes: the targets match the policy.\n",
    );
  });
});

describe("apply summary rendering", () => {
  const [revoke, update, grant] = plan.targets[0]!.changes;
  const results = [
    {
      target: "pulsar" as const,
      results: [
        { change: revoke!, ok: true },
        {
          change: update!,
          ok: false,
          error:
            "Pulsar answered 403 to POST /admin/v2/namespaces/acme/payments/permissions/bob_ops: Unauthorized (insufficient rights: use a superuser token in PULSAR_TOKEN)",
        },
        { change: grant!, ok: true },
      ],
      evidence: [
        "unloaded namespace acme/payments: live producers and consumers of dave@example.com had to reconnect and re-authorize",
      ],
    },
  ];

  it("renders every result and a partial verdict as text", () => {
    expect(renderApplySummary(results, "text")).toMatchSnapshot();
  });

  it("renders markdown", () => {
    expect(renderApplySummary(results, "markdown")).toMatchSnapshot();
  });

  it("fails the verdict when a follow-up step failed although every change went through", () => {
    const text = renderApplySummary(
      [
        {
          target: "pulsar",
          results: [{ change: revoke!, ok: true }],
          evidence: [],
          incomplete: ["unload of namespace acme/payments failed"],
        },
      ],
      "text",
    );
    expect(text).toContain("FAILED: unload of namespace acme/payments failed");
    expect(text).toContain("Apply FAILED (partial): 1 follow-up step failed.");
  });
});
