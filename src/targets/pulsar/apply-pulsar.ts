import type { ChangeResult, PlannedChange, TargetApplyResult, TargetPlan } from "../../plan/plan.js";
import type { PulsarAdminClient } from "./admin-client.js";
import { normaliseTenant } from "./actual-state.js";
import { mapBounded } from "./bounded.js";
import { decodeOperation, serialisationKey, type PulsarOperation } from "./operation.js";
import { topicSegments } from "./topic-segments.js";

export const WRITE_CONCURRENCY = 8;

interface Step {
  readonly index: number;
  readonly change: PlannedChange;
  readonly operation: PulsarOperation;
}

/**
 * Revocations first, then the unloads they call for, then updates, then grants. Within a phase, namespaces
 * run in parallel (bounded) and one namespace's writes go one at a time; a failure is recorded and the
 * rest carries on.
 */
export async function applyPulsarPlan(
  client: PulsarAdminClient,
  plan: TargetPlan,
): Promise<TargetApplyResult> {
  const results: ChangeResult[] = new Array<ChangeResult>(plan.changes.length);
  const steps: Step[] = [];
  plan.changes.forEach((change, index) => {
    try {
      steps.push({ index, change, operation: decodeOperation(change.operation) });
    } catch (error) {
      results[index] = { change, ok: false, error: messageOf(error) };
    }
  });
  const run = async (step: Step): Promise<void> => {
    try {
      await perform(client, step.operation);
      results[step.index] = { change: step.change, ok: true };
    } catch (error) {
      results[step.index] = { change: step.change, ok: false, error: messageOf(error) };
    }
  };

  await runPhase(
    steps.filter((step) => step.change.action === "revoke"),
    run,
  );
  const evidence: string[] = [];
  const incomplete: string[] = [];
  await unloadAfterRevocations(client, steps, results, evidence, incomplete);
  await runPhase(
    steps.filter((step) => step.change.action === "update"),
    run,
  );
  await runPhase(
    steps.filter((step) => step.change.action === "grant"),
    run,
  );
  return { target: "pulsar", results, evidence, incomplete };
}

async function runPhase(steps: readonly Step[], run: (step: Step) => Promise<void>): Promise<void> {
  const queues = new Map<string, Step[]>();
  for (const step of steps) {
    const key = serialisationKey(step.operation);
    queues.set(key, [...(queues.get(key) ?? []), step]);
  }
  await mapBounded([...queues.values()], WRITE_CONCURRENCY, async (queue) => {
    for (const step of queue) await run(step);
  });
}

async function perform(client: PulsarAdminClient, operation: PulsarOperation): Promise<void> {
  switch (operation.op) {
    case "set-namespace-permission":
      return client.send(
        "POST",
        ["namespaces", ...operation.namespace.split("/"), "permissions", operation.role],
        operation.actions,
      );
    case "revoke-namespace-permission":
      return client.send("DELETE", [
        "namespaces",
        ...operation.namespace.split("/"),
        "permissions",
        operation.role,
      ]);
    case "set-topic-permission":
      return client.send(
        "POST",
        [...topicSegments(operation.topic), "permissions", operation.role],
        operation.actions,
      );
    case "revoke-topic-permission":
      return client.send("DELETE", [...topicSegments(operation.topic), "permissions", operation.role]);
    case "add-tenant-admin":
    case "remove-tenant-admin":
      return updateTenantAdmins(
        client,
        operation.tenant,
        operation.role,
        operation.op === "add-tenant-admin",
      );
  }
}

/** The tenant update replaces both fields (reference §2.3): read, modify, write the whole record. */
async function updateTenantAdmins(
  client: PulsarAdminClient,
  tenant: string,
  role: string,
  add: boolean,
): Promise<void> {
  const current = normaliseTenant(await client.get(["tenants", tenant]));
  if (current.adminRoles.includes(role) === add) return;
  const adminRoles = add
    ? [...current.adminRoles, role].sort()
    : current.adminRoles.filter((each) => each !== role);
  await client.send("POST", ["tenants", tenant], { adminRoles, allowedClusters: current.allowedClusters });
}

/**
 * A deprovisioned person's live producers and consumers keep going until the namespace's topics are
 * re-authorized; unloading forces that (reference §2.6). Only after a revocation that went through.
 */
async function unloadAfterRevocations(
  client: PulsarAdminClient,
  steps: readonly Step[],
  results: readonly ChangeResult[],
  evidence: string[],
  incomplete: string[],
): Promise<void> {
  const byNamespace = new Map<string, Set<string>>();
  for (const step of steps) {
    if (!("unload" in step.operation) || results[step.index]?.ok !== true) continue;
    for (const namespace of step.operation.unload) {
      byNamespace.set(namespace, (byNamespace.get(namespace) ?? new Set()).add(step.change.principal));
    }
  }
  const namespaces = [...byNamespace.keys()].sort();
  const outcomes = await mapBounded(namespaces, WRITE_CONCURRENCY, async (namespace) => {
    try {
      await client.send("PUT", ["namespaces", ...namespace.split("/"), "unload"]);
      return undefined;
    } catch (error) {
      return messageOf(error);
    }
  });
  namespaces.forEach((namespace, index) => {
    const who = [...(byNamespace.get(namespace) ?? [])].sort().join(", ");
    const failure = outcomes[index];
    if (failure === undefined) {
      evidence.push(
        `unloaded namespace ${namespace}: live producers and consumers of ${who} had to reconnect and re-authorize`,
      );
    } else {
      incomplete.push(
        `unload of namespace ${namespace} failed (${failure}); live connections of ${who} may survive until they reconnect: unload it with a superuser token`,
      );
    }
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
