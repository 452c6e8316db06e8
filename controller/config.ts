import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { TenantDatabases } from "./broker/database-broker.ts";
import type { ProviderSources } from "./broker/provider-config.ts";

/** Raised when the environment does not describe a runnable configuration; the message names each bad field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const packageVersion = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
).version;

/** Where the embedded database and key files live unless FACTORY_DATA_DIR says otherwise. */
function defaultDataDir(env: Record<string, string | undefined>, platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "startup-factory");
  if (platform === "darwin") return join(homedir(), "Library", "Application Support", "startup-factory");
  return join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "startup-factory");
}

const PostgresUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
  .describe("PostgreSQL server; when unset the embedded PGlite database is used");

const Env = z.object({
  DATABASE_URL: PostgresUrl.optional(),
  FACTORY_TENANT_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
    .optional()
    .describe(
      "the server tenants' databases are provisioned on, as a login that may create roles and databases; defaults to DATABASE_URL, else embedded PGlite",
    ),
  FACTORY_DATA_DIR: z.string().min(1).optional(),
  FACTORY_KEYS_DIR: z.string().min(1).optional(),
  FACTORY_POLICIES_DIR: z.string().min(1).optional(),
  FACTORY_HOST: z.string().min(1).default("127.0.0.1"),
  FACTORY_PORT: z.coerce.number().int().min(0).max(65535).default(7300),
  FACTORY_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  FACTORY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  FACTORY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  FACTORY_SECRETS_FILE: z.string().min(1).optional(),
  FACTORY_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(7301),
  FACTORY_SANDBOX_ADO_PORT: z.coerce.number().int().min(0).max(65535).default(7302),
  FACTORY_SANDBOX_ADO_ORG: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,48}$/, "must be an Azure DevOps organisation name")
    .default("factory-sandbox"),
  FACTORY_SANDBOX_GITHUB_ORG: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "must be a GitHub organisation login")
    .default("acme"),
  FACTORY_LEDGER_HMAC_KEY: z
    .base64({ error: "must be base64" })
    .refine((v) => Buffer.from(v, "base64").length >= 32, "must decode to at least 32 bytes")
    .optional(),
});

/** The validated configuration every entry point receives; nothing else reads the environment. */
export interface Config {
  database:
    | {
        kind: "pglite";
        dataDir: string;
        /** Run in memory from this `dumpDataDir()` tarball instead of opening `dataDir` (eval worlds). */
        snapshot?: Blob;
      }
    | { kind: "postgres"; url: string };
  dataDir: string;
  keysDir: string;
  policiesDir: string;
  http: { host: string; port: number; rateLimitPerMinute: number; maxBodyBytes: number; version: string };
  ledger: { checkpointIntervalSeconds: number; hmacKey?: Buffer };
  /** Where the provider credentials come from; read (and checked) when the runtime opens. */
  providers: ProviderSources;
  /** Where the Database factory provisions tenants' databases. */
  tenantDatabases: TenantDatabases;
  /** The offline sandboxes served when no provider credentials are configured. */
  sandbox: { port: number; githubOrg: string; adoPort: number; adoOrg: string };
}

/** The variables the provider credentials may come from besides the secrets file. */
const PROVIDER_ENV = [
  "GITHUB_API_URL",
  "GITHUB_TOKEN",
  "GITHUB_APP_ID",
  "GITHUB_APP_INSTALLATION_ID",
  "GITHUB_APP_PRIVATE_KEY",
  "AZURE_DEVOPS_ORG_URL",
  "AZURE_DEVOPS_PAT",
] as const;

/**
 * The provider variables that are set (and the secrets file), as `loadConfig` reads them: what a world
 * recording against live providers takes from the user's environment, and nothing else of it.
 */
export const providerVariables = (env: Record<string, string | undefined> = process.env) =>
  Object.fromEntries(
    [...PROVIDER_ENV, "FACTORY_SECRETS_FILE"].filter((n) => env[n] !== undefined).map((n) => [n, env[n]]),
  );

/** The tenant-database server: its own URL, else the controller's server, else PGlite beside the data. */
function tenantDatabasesOf(
  e: { FACTORY_TENANT_DATABASE_URL?: string | undefined; DATABASE_URL?: string | undefined },
  dataDir: string,
): TenantDatabases {
  const url = e.FACTORY_TENANT_DATABASE_URL ?? e.DATABASE_URL;
  return url ? { kind: "postgres", url } : { kind: "pglite", dir: join(dataDir, "tenant-databases") };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const dataDir = resolve(e.FACTORY_DATA_DIR ?? defaultDataDir(env));
  return {
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "pglite", dataDir: join(dataDir, "pglite") },
    dataDir,
    tenantDatabases: tenantDatabasesOf(e, dataDir),
    keysDir: resolve(e.FACTORY_KEYS_DIR ?? join(dataDir, "keys")),
    policiesDir: resolve(e.FACTORY_POLICIES_DIR ?? join(repoRoot, "policies")),
    http: {
      host: e.FACTORY_HOST,
      port: e.FACTORY_PORT,
      rateLimitPerMinute: e.FACTORY_RATE_LIMIT_PER_MINUTE,
      maxBodyBytes: e.FACTORY_MAX_BODY_BYTES,
      version: packageVersion,
    },
    ledger: {
      checkpointIntervalSeconds: e.FACTORY_CHECKPOINT_INTERVAL_SECONDS,
      ...(e.FACTORY_LEDGER_HMAC_KEY ? { hmacKey: Buffer.from(e.FACTORY_LEDGER_HMAC_KEY, "base64") } : {}),
    },
    sandbox: {
      port: e.FACTORY_SANDBOX_PORT,
      githubOrg: e.FACTORY_SANDBOX_GITHUB_ORG,
      adoPort: e.FACTORY_SANDBOX_ADO_PORT,
      adoOrg: e.FACTORY_SANDBOX_ADO_ORG,
    },
    providers: {
      ...(e.FACTORY_SECRETS_FILE ? { secretsFile: resolve(e.FACTORY_SECRETS_FILE) } : {}),
      env: Object.fromEntries(PROVIDER_ENV.map((name) => [name, env[name]])),
    },
  };
}

const ClientEnv = z.object({
  FACTORY_URL: z.url({ error: "must be the controller's URL, e.g. http://127.0.0.1:7300" }).optional(),
  FACTORY_API_KEY: z
    .string()
    .regex(/^sfk_[A-Za-z0-9_-]{20,}$/, "must be an operator API key (sfk_…)")
    .optional(),
  FACTORY_GRANT: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "must be a grant (a signed JWT)")
    .optional(),
});

/** Where commands that talk to a running controller find it, and the operator key or agent grant they use. */
export interface ClientConfig {
  url: string;
  apiKey: string | undefined;
  /** An agent's grant, for `factory mcp <server>` started by a local MCP client. */
  grant: string | undefined;
}

/** The environment of commands that talk to a running controller; a bad value names the variable. */
export function loadClientConfig(env: Record<string, string | undefined> = process.env): ClientConfig {
  const parsed = ClientEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return {
    url: parsed.data.FACTORY_URL ?? "http://127.0.0.1:7300",
    apiKey: parsed.data.FACTORY_API_KEY,
    grant: parsed.data.FACTORY_GRANT,
  };
}
