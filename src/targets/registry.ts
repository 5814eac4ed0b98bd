import type { AnyTarget } from "./target.js";
import { pulsarTarget } from "./pulsar/pulsar-target.js";

/** Every target scim-gitops can plan and apply, in the order their plans are shown. */
export const TARGETS: readonly AnyTarget[] = [pulsarTarget];
