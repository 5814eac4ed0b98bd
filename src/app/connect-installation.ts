import type { Logger as PinoLogger } from "pino";
import type { Probot } from "probot";
import type { GitHubConfig } from "../config.js";
import {
  AppNotInstalledError,
  findInstallationId,
  installationClient,
  InstallationTokens,
} from "../repos/github/github-installation.js";
import { pacedClient } from "../repos/github/paced-client.js";
import type { GitHubGraphqlClient } from "../repos/github/github-request.js";
import { failureMessage, GitHubApiError } from "../repos/github/github-request.js";
import { AppOctokit } from "./app-octokit.js";

/** GitHub mode could not start; the message says what to fix. */
export class GitHubAppStartError extends Error {
  override name = "GitHubAppStartError";
}

export interface InstallationConnection {
  readonly installationId: number;
  /** Installation-authenticated, tokens refreshed before they expire, writes paced under GitHub's limit. */
  readonly client: GitHubGraphqlClient;
}

/**
 * The client SCIM work uses. That work arrives outside any webhook, so nothing hands it an installation:
 * the installation on POLICY_REPO is looked up with the App's own JWT (`await probot.auth()`), and a first
 * token is minted now, so a wrong key, a missing installation or an unreachable GitHub stops `serve` at
 * start with one message instead of failing every flush later.
 */
export async function connectInstallation(
  probot: Probot,
  config: GitHubConfig,
  log: PinoLogger,
): Promise<InstallationConnection> {
  const appClient = await probot.auth();
  const name = { owner: config.owner, repo: config.repo };
  try {
    const installationId = await findInstallationId(appClient, name);
    const tokens = new InstallationTokens({ appClient, installationId });
    await tokens.token();
    const bare = new AppOctokit({ baseUrl: config.apiUrl, log: log.child({ name: "github" }) });
    return { installationId, client: pacedClient(installationClient(bare, tokens)) };
  } catch (error) {
    throw startError(error, config);
  }
}

function startError(error: unknown, config: GitHubConfig): Error {
  const repository = `${config.owner}/${config.repo}`;
  if (error instanceof AppNotInstalledError) {
    return new GitHubAppStartError(
      `the GitHub App ${config.appId} is not installed on ${repository} (POLICY_REPO): install it on that ` +
        "repository from the App's page (Install App), or set POLICY_REPO to a repository it is installed on",
    );
  }
  const status = error instanceof GitHubApiError ? error.status : undefined;
  const cause = error instanceof GitHubApiError && error.cause !== undefined ? error.cause : error;
  const said = failureMessage(cause);
  if (status === 401) {
    return new GitHubAppStartError(
      `GitHub refused the App's credentials (401): check that APP_ID=${config.appId} is the App's id ` +
        "and that PRIVATE_KEY (or PRIVATE_KEY_PATH) is a key generated for that App and not revoked; the " +
        "clock of this machine must be right too (the App's JWT is valid for minutes)",
    );
  }
  if (status === undefined) {
    return new GitHubAppStartError(
      `cannot reach GitHub at ${config.apiUrl} (${said}): check the network${
        config.enterpriseHost === undefined ? "" : ", GHE_HOST and GHE_PROTOCOL"
      }`,
    );
  }
  return new GitHubAppStartError(
    `GitHub answered ${status} while the App looked up its installation on ${repository} (${said}): ` +
      "check the App's permissions (contents, pull requests, checks, issues: write; metadata: read)",
  );
}
