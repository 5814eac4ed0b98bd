import type { EffectiveAccess } from "../../../src/policy/model/effective-access.js";
import type { Settings } from "../../../src/policy/model/model.js";
import { fingerprintState } from "../../../src/plan/fingerprint.js";
import { orderChanges } from "../../../src/plan/order-changes.js";
import type { PlannedChange, TargetApplyResult, TargetPlan } from "../../../src/plan/plan.js";
import { summariseProvenance } from "../../../src/plan/summarise-provenance.js";
import type { Target } from "../../../src/targets/target.js";
import type { FakeKafkaLikeCluster } from "../../fakes/kafka-like/cluster.js";
import { KAFKA_LIKE, isTopicManaged, kafkaLikePolicy } from "./kafka-like-policy.js";

/** The managed topics' ACLs: `{principal: {topic: operations}}`. */
export type KafkaLikeActual = Record<string, Record<string, readonly string[]>>;

interface TopicAclOperation {
  readonly principal: string;
  readonly topic: string;
  /** null: remove the ACL. */
  readonly operations: readonly string[] | null;
}

/**
 * The adapter half of the test-only target: connected when `KAFKALIKE_BROKERS` is set, as a real target
 * would be from its environment. Inside the managed prefixes it owns every ACL: one the policy does not
 * want is revoked (protected principals excepted).
 */
export function kafkaLikeTarget(
  cluster: FakeKafkaLikeCluster,
): Target<FakeKafkaLikeCluster, KafkaLikeActual> {
  return {
    name: KAFKA_LIKE,
    policy: kafkaLikePolicy,
    connectionHint: "set KAFKALIKE_BROKERS",
    connect: (config) => (config.env.KAFKALIKE_BROKERS === undefined ? undefined : cluster),
    isManaged: (settings) => (kafkaLikePolicy.settingsOf(settings)?.manage.topicPrefixes.length ?? 0) > 0,
    readActual(connection, settings) {
      const own = kafkaLikePolicy.settingsOf(settings);
      const actual: KafkaLikeActual = {};
      for (const [principal, topics] of Object.entries(connection.list())) {
        for (const [topic, operations] of Object.entries(topics)) {
          if (own !== undefined && isTopicManaged(topic, own)) (actual[principal] ??= {})[topic] = operations;
        }
      }
      return Promise.resolve(actual);
    },
    plan: planKafkaLike,
    apply(connection, plan) {
      return Promise.resolve(applyKafkaLike(connection, plan));
    },
  };
}

export function planKafkaLike(
  desired: EffectiveAccess,
  settings: Settings,
  actual: KafkaLikeActual,
): TargetPlan {
  const own = kafkaLikePolicy.settingsOf(settings);
  const access = kafkaLikePolicy.accessOf(desired);
  const changes: PlannedChange[] = [];
  const notices: string[] = [];
  const principals = [...new Set([...Object.keys(actual), ...access.principals.keys()])].sort();
  for (const principal of principals) {
    const wanted = new Map(
      (access.principals.get(principal)?.grants ?? []).map((grant) => [grant.topic, grant]),
    );
    const held = actual[principal] ?? {};
    for (const topic of [...new Set([...Object.keys(held), ...wanted.keys()])].sort()) {
      const before = held[topic] ?? null;
      const grant = wanted.get(topic);
      const after = grant?.operations ?? null;
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      if (own?.protectedPrincipals.includes(principal) === true) {
        notices.push(`protected: ${principal} keeps ${topic} (kafkalike.protectedPrincipals)`);
        continue;
      }
      const operation: TopicAclOperation = { principal, topic, operations: after };
      changes.push({
        target: KAFKA_LIKE,
        action: before === null ? "grant" : after === null ? "revoke" : "update",
        principal,
        resource: `topic ${topic}`,
        before,
        after,
        narrows: (before ?? []).some((item) => !(after ?? []).includes(item)),
        reason:
          grant !== undefined
            ? summariseProvenance(grant.because)
            : access.retired.has(principal)
              ? "deprovisioned"
              : "not granted by the policy",
        operation: { ...operation },
      });
    }
  }
  return {
    target: KAFKA_LIKE,
    actualFingerprint: fingerprintState(actual),
    holders: Object.keys(actual).length,
    changes: orderChanges(changes),
    notices,
  };
}

function applyKafkaLike(cluster: FakeKafkaLikeCluster, plan: TargetPlan): TargetApplyResult {
  const results = plan.changes.map((change) => {
    const { principal, topic, operations } = change.operation as unknown as TopicAclOperation;
    try {
      if (operations === null) cluster.remove(principal, topic);
      else cluster.put(principal, topic, operations);
      return { change, ok: true };
    } catch (error) {
      return { change, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  });
  return { target: KAFKA_LIKE, results, evidence: [] };
}
