import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../scripts/nats-server.sh", import.meta.url));

/** The nats-server binary: NATS_SERVER_BIN, or the one scripts/nats-server.sh caches (fetching it once). */
export function findNatsServer(): string {
  try {
    return execFileSync(SCRIPT, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`cannot obtain nats-server >= 2.10 with scripts/nats-server.sh: ${stderr.trim()}`, {
      cause: error,
    });
  }
}
