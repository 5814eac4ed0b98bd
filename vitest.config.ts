import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Fetches nats-server >= 2.10 once (scripts/nats-server.sh) before suites that start it run in parallel.
    globalSetup: ["test/support/nats-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers (git, nats-server, HTTP); two cores is the machine.
    maxWorkers: 2,
  },
});
