import type { AnyTarget } from "./target.js";
import { pulsarTarget } from "./pulsar/pulsar-target.js";
import { natsTarget } from "./nats/nats-target.js";

/** Every target scim-gitops can plan and apply, in the order their plans are shown. */
export const TARGETS: readonly AnyTarget[] = [pulsarTarget, natsTarget];
