import { z } from "zod";
import { hasStatus, operation } from "../operation.ts";
import { RepoRef, repoResource } from "./fields.ts";

export const SecuritySettings = z.object({
  vulnerabilityAlerts: z.boolean().default(true).describe("Dependabot alerts for vulnerable dependencies"),
  automatedSecurityFixes: z.boolean().default(true).describe("Dependabot security update pull requests"),
  secretScanning: z.boolean().default(true).describe("scan pushes for committed secrets"),
  secretScanningPushProtection: z.boolean().default(true).describe("block pushes that contain secrets"),
});
export type SecuritySettings = z.output<typeof SecuritySettings>;

export const securityOperations = {
  security_get_settings: operation({
    name: "security_get_settings",
    summary: "Read a repository's security settings",
    write: false,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i): Promise<SecuritySettings> => {
      const alerts = await client.rest.repos.checkVulnerabilityAlerts(i).then(
        () => true,
        (error: unknown) => {
          if (hasStatus(error, 404)) return false;
          throw error;
        },
      );
      const fixes = (await client.rest.repos.checkAutomatedSecurityFixes(i)).data.enabled;
      const analysis = (await client.rest.repos.get(i)).data.security_and_analysis;
      return {
        vulnerabilityAlerts: alerts,
        automatedSecurityFixes: fixes,
        secretScanning: analysis?.secret_scanning?.status === "enabled",
        secretScanningPushProtection: analysis?.secret_scanning_push_protection?.status === "enabled",
      };
    },
  }),

  security_update_settings: operation({
    name: "security_update_settings",
    summary: "Turn on (or off) Dependabot alerts and fixes, secret scanning and push protection",
    write: true,
    input: RepoRef.extend(SecuritySettings.shape),
    resource: repoResource,
    run: async (client, { owner, repo, ...s }): Promise<SecuritySettings> => {
      const r = { owner, repo };
      if (s.vulnerabilityAlerts) await client.rest.repos.enableVulnerabilityAlerts(r);
      else await client.rest.repos.disableVulnerabilityAlerts(r);
      // Fixes need alerts: turn them on after, off before.
      if (s.automatedSecurityFixes && s.vulnerabilityAlerts)
        await client.rest.repos.enableAutomatedSecurityFixes(r);
      else await client.rest.repos.disableAutomatedSecurityFixes(r);
      const status = (on: boolean) => ({ status: on ? ("enabled" as const) : ("disabled" as const) });
      await client.rest.repos.update({
        ...r,
        security_and_analysis: {
          secret_scanning: status(s.secretScanning),
          secret_scanning_push_protection: status(s.secretScanningPushProtection),
        },
      });
      return { ...s, automatedSecurityFixes: s.automatedSecurityFixes && s.vulnerabilityAlerts };
    },
  }),
};
