import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { operationTool, repository } from "./context.ts";

const SecuritySettings = z.strictObject({
  vulnerabilityAlerts: z.boolean(),
  automatedSecurityFixes: z.boolean(),
  secretScanning: z.boolean(),
  secretScanningPushProtection: z.boolean(),
});

/** A repository's security settings: Dependabot alerts and fixes, secret scanning, push protection. */
export const securityTools = [
  operationTool("security_get_settings", {
    title: "Get security settings",
    use: "Use it to audit a repository: which of Dependabot alerts, Dependabot fixes, secret scanning and push protection are on.",
    toolset: "security",
    hints: HINTS.read,
    output: SecuritySettings,
    resource: repository,
    result: (s) => s,
  }),
  operationTool("security_update_settings", {
    title: "Update security settings",
    use: "Use it to turn the protections on (all are on unless you say otherwise); Dependabot fixes need alerts, so they stay off while alerts are off.",
    toolset: "security",
    hints: HINTS.update,
    output: SecuritySettings,
    resource: repository,
    result: (s) => s,
  }),
];
