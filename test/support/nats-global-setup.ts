import { findNatsServer } from "./nats-server-bin.js";

/** Fetch nats-server once before workers start, so parallel suites never race the download. */
export function setup(): void {
  try {
    findNatsServer();
  } catch (error) {
    // Suites that need it report the reason; the others must still run offline.
    console.warn(error instanceof Error ? error.message : String(error));
  }
}
