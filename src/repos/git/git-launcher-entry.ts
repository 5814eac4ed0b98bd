/**
 * The git launcher (git-launcher.ts): a small Node process that spawns each git command it is sent and
 * sends back what the command wrote. It lives as long as the process that started it.
 */
import type { LaunchReply, LaunchRequest } from "./git-launcher.js";
import { spawnGit } from "./spawn-git.js";

const send = process.send?.bind(process);
if (send === undefined) throw new Error("git-launcher-entry runs only as a child with an IPC channel");

process.on("message", (request: LaunchRequest) => {
  void spawnGit(request).then((outcome) => send({ id: request.id, outcome } satisfies LaunchReply));
});
// The starting process exited (or was killed): nothing is left to run commands for.
process.on("disconnect", () => process.exit(0));
