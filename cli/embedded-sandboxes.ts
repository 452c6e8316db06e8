import { Secret } from "../controller/broker/secret.ts";
import type { Config } from "../controller/config.ts";
import type { FallbackProviders } from "../controller/runtime.ts";
import { startGitHubSandbox } from "../sandbox/github/embedded.ts";

/**
 * The embedded default: a provider with no credentials configured is served by its offline sandbox on the
 * controller's own database, and the broker is pointed at it. `onStarted` hears where each one listens.
 */
export function embeddedSandboxes(
  config: Config,
  onStarted: (name: string, url: string) => void,
): FallbackProviders {
  return async (database, missing) => {
    if (!missing.github) return { credentials: {}, close: async () => {} };
    const github = await startGitHubSandbox(database, {
      host: config.http.host,
      port: config.sandbox.port,
      keysDir: config.keysDir,
      org: config.sandbox.githubOrg,
    });
    onStarted(`GitHub sandbox (organisation ${config.sandbox.githubOrg})`, github.url);
    return {
      credentials: {
        github: {
          apiUrl: github.url,
          app: {
            id: github.app.id,
            installationId: github.app.installationId,
            privateKey: new Secret(github.app.privateKeyPem),
          },
        },
      },
      close: github.close,
    };
  };
}
