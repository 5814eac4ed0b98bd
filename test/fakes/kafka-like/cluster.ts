/**
 * A stateful stand-in for a Kafka-like cluster's ACL store: per principal and topic, the operations
 * allowed. It exists only for the registry test, which adds a third target without `src/` knowing it.
 * Writes are counted so a test can see that a second apply writes nothing.
 */
export class FakeKafkaLikeCluster {
  readonly #acls = new Map<string, Map<string, readonly string[]>>();
  #writes = 0;

  get writes(): number {
    return this.#writes;
  }

  /** Seeds an ACL without counting it as a write, as if someone had set it by hand. */
  seed(principal: string, topic: string, operations: readonly string[]): this {
    this.#set(principal, topic, operations);
    return this;
  }

  /** Every ACL, as `{principal: {topic: operations}}`, operations sorted. */
  list(): Record<string, Record<string, readonly string[]>> {
    const result: Record<string, Record<string, readonly string[]>> = {};
    for (const [principal, topics] of this.#acls) result[principal] = Object.fromEntries(topics);
    return result;
  }

  /** Replaces the operations a principal has on a topic, as a Kafka ACL write does. */
  put(principal: string, topic: string, operations: readonly string[]): void {
    if (operations.length === 0) throw new Error(`refusing an empty ACL for ${principal} on ${topic}`);
    this.#writes += 1;
    this.#set(principal, topic, operations);
  }

  remove(principal: string, topic: string): void {
    const topics = this.#acls.get(principal);
    if (topics?.delete(topic) !== true) throw new Error(`no ACL for ${principal} on ${topic}`);
    this.#writes += 1;
    if (topics.size === 0) this.#acls.delete(principal);
  }

  #set(principal: string, topic: string, operations: readonly string[]): void {
    const topics = this.#acls.get(principal) ?? new Map<string, readonly string[]>();
    topics.set(topic, [...operations].sort());
    this.#acls.set(principal, topics);
  }
}
