import type { ProviderCredentials } from "../controller/broker/provider-config.ts";
import { Secret } from "../controller/broker/secret.ts";
import type { Config } from "../controller/config.ts";
import type { FallbackProviders } from "../controller/runtime.ts";
import { type RunningAzureDevOpsSandbox, startAzureDevOpsSandbox } from "../sandbox/azure-devops/embedded.ts";
import type { AdoSandboxOptions } from "../sandbox/azure-devops/server.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../sandbox/github/embedded.ts";

/**
 * The embedded default: a provider with no credentials configured is served by its offline sandbox on the
 * controller's own database, and the broker is pointed at it. `onStarted` hears where each one listens.
 */
export function embeddedSandboxes(
  config: Config,
  onStarted: (sandbox: { provider: "github" | "azure-devops"; label: string; url: string }) => void,
  options: {
    /** Hears the running sandboxes themselves, for whoever seeds or inspects their worlds (evals). */
    keep?: (sandboxes: { github?: RunningGitHubSandbox; azureDevOps?: RunningAzureDevOpsSandbox }) => void;
    /** How long the Azure DevOps sandbox takes to create a project or finish a run (an eval world hurries). */
    azureDevOpsTiming?: AdoSandboxOptions;
  } = {},
): FallbackProviders {
  const { keep } = options;
  return async (database, missing) => {
    const credentials: ProviderCredentials = {};
    const closers: (() => Promise<void>)[] = [];
    const close = async () => {
      for (const stop of closers.reverse()) await stop();
    };
    try {
      if (missing.github) {
        const github = await startGitHubSandbox(database, {
          host: config.http.host,
          port: config.sandbox.port,
          keysDir: config.keysDir,
          org: config.sandbox.githubOrg,
        });
        closers.push(github.close);
        keep?.({ github });
        onStarted({
          provider: "github",
          label: `GitHub sandbox (organisation ${config.sandbox.githubOrg})`,
          url: github.url,
        });
        credentials.github = {
          apiUrl: github.url,
          app: {
            id: github.app.id,
            installationId: github.app.installationId,
            privateKey: new Secret(github.app.privateKeyPem),
          },
        };
      }
      if (missing.azureDevOps) {
        const ado = await startAzureDevOpsSandbox(database, {
          host: config.http.host,
          port: config.sandbox.adoPort,
          org: config.sandbox.adoOrg,
          ...(options.azureDevOpsTiming ? { timing: options.azureDevOpsTiming } : {}),
        });
        closers.push(ado.close);
        keep?.({ azureDevOps: ado });
        onStarted({ provider: "azure-devops", label: "Azure DevOps sandbox", url: ado.orgUrl });
        // The sandbox's full-access PAT is the development mode: the broker hands it out as is (not narrowed).
        credentials.azureDevOps = {
          orgUrl: ado.orgUrl,
          pat: new Secret(await ado.world.pat(config.sandbox.adoOrg, "startup-factory")),
        };
      }
    } catch (error) {
      await close();
      throw error;
    }
    return { credentials, close };
  };
}
