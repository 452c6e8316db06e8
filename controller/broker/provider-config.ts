import { readFile, stat } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Secret } from "./secret.ts";

/** The provider credentials could not be read or are invalid; the message names the field, never a value. */
export class ProviderConfigError extends Error {
  override name = "ProviderConfigError";
}

const secret = z
  .string()
  .min(1)
  .transform((v) => new Secret(v));

const GitHubConfig = z
  .object({
    apiUrl: z
      .url()
      .default("https://api.github.com")
      .describe("api.github.com, GHES (…/api/v3) or the sandbox"),
    app: z
      .object({
        id: z.coerce.number().int().positive(),
        installationId: z.coerce.number().int().positive(),
        privateKey: secret.describe("the App's PEM private key"),
      })
      .strict()
      .optional(),
    token: secret.optional().describe("development only: a token handed out as is, not narrowed"),
  })
  .strict()
  .refine((g) => g.app || g.token, "needs app (id, installationId, privateKey) or token");

const AzureDevOpsConfig = z
  .object({
    orgUrl: z.url().describe("https://dev.azure.com/<org>, Azure DevOps Server, or the sandbox"),
    vsspsUrl: z
      .url()
      .optional()
      .describe("where the PAT lifecycle API is served; derived from orgUrl when absent (see vsspsUrlOf)"),
    pat: secret.optional().describe("development only: a PAT handed out as is, not narrowed"),
    servicePrincipal: z
      .object({
        tenantId: z.string().min(1),
        clientId: z.string().min(1),
        clientSecret: secret,
        authorityUrl: z.url().default("https://login.microsoftonline.com"),
      })
      .strict()
      .optional()
      .describe("its Entra token is handed out as is: Azure DevOps lets no service principal mint PATs"),
    user: z
      .object({
        tenantId: z.string().min(1),
        clientId: z.string().min(1),
        refreshToken: secret.describe("from one interactive sign-in with offline_access"),
        clientSecret: secret.optional().describe("for a confidential client; none for a public one"),
        authorityUrl: z.url().default("https://login.microsoftonline.com"),
      })
      .strict()
      .optional()
      .describe("an Entra user the broker acts for: it mints a PAT narrowed to each grant, revoked with it"),
  })
  .strict()
  .refine((a) => a.pat || a.servicePrincipal || a.user, "needs pat, servicePrincipal or user");

export const ProviderCredentials = z
  .object({ github: GitHubConfig.optional(), azureDevOps: AzureDevOpsConfig.optional() })
  .strict();
export type ProviderCredentials = z.output<typeof ProviderCredentials>;
export type GitHubCredentials = NonNullable<ProviderCredentials["github"]>;
export type AzureDevOpsCredentials = NonNullable<ProviderCredentials["azureDevOps"]>;

/** Where the controller's long-lived provider credentials come from (read once at start-up). */
export interface ProviderSources {
  /** A JSON or YAML file; it must not be readable by group or others (0600). */
  secretsFile?: string;
  /** GITHUB_* and AZURE_DEVOPS_* variables; they fill in what the file does not set. */
  env: Record<string, string | undefined>;
}

function fromEnv(env: Record<string, string | undefined>, file: Record<string, unknown>) {
  const pick = <T extends Record<string, unknown>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const github = pick({
    apiUrl: env.GITHUB_API_URL,
    token: env.GITHUB_TOKEN,
    app: env.GITHUB_APP_ID
      ? pick({
          id: env.GITHUB_APP_ID,
          installationId: env.GITHUB_APP_INSTALLATION_ID,
          privateKey: env.GITHUB_APP_PRIVATE_KEY,
        })
      : undefined,
  });
  const azureDevOps = pick({ orgUrl: env.AZURE_DEVOPS_ORG_URL, pat: env.AZURE_DEVOPS_PAT });
  return {
    ...file,
    ...(Object.keys(github).length > 0 ? { github: { ...(file.github as object), ...github } } : {}),
    ...(Object.keys(azureDevOps).length > 0
      ? { azureDevOps: { ...(file.azureDevOps as object), ...azureDevOps } }
      : {}),
  };
}

/** Reads and validates the provider credentials; none configured is valid (the broker then hands out none). */
export async function loadProviderCredentials(sources: ProviderSources): Promise<ProviderCredentials> {
  let file: Record<string, unknown> = {};
  if (sources.secretsFile) {
    const info = await stat(sources.secretsFile).catch(() => undefined);
    if (!info) throw new ProviderConfigError(`FACTORY_SECRETS_FILE ${sources.secretsFile} cannot be read`);
    if (process.platform !== "win32" && (info.mode & 0o077) !== 0)
      throw new ProviderConfigError(
        `FACTORY_SECRETS_FILE ${sources.secretsFile} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    const text = await readFile(sources.secretsFile, "utf8");
    try {
      file = (parseYaml(text) ?? {}) as Record<string, unknown>; // YAML is a superset of JSON
    } catch {
      throw new ProviderConfigError(`FACTORY_SECRETS_FILE ${sources.secretsFile} is not YAML or JSON`);
    }
  }
  const parsed = ProviderCredentials.safeParse(fromEnv(sources.env, file));
  if (!parsed.success)
    throw new ProviderConfigError(
      `invalid provider credentials: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
