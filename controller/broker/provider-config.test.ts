import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProviderCredentials, ProviderConfigError } from "./provider-config.ts";

const TOKEN = "ghp_0123456789abcdefNotARealToken0123";

describe("provider credentials", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-secrets-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    await writeFile(path, text);
    await chmod(path, mode);
    return path;
  };

  it("reads a 0600 YAML file and lets the environment fill in and override fields", async () => {
    const secretsFile = await file("ok.yaml", `github:\n  token: ${TOKEN}\n`, 0o600);
    const loaded = await loadProviderCredentials({
      secretsFile,
      env: {
        GITHUB_API_URL: "http://127.0.0.1:9/api",
        AZURE_DEVOPS_ORG_URL: "https://dev.azure.com/acme",
        AZURE_DEVOPS_PAT: "pat-value",
      },
    });
    expect(loaded.github?.apiUrl).toBe("http://127.0.0.1:9/api");
    expect(loaded.github?.token?.reveal()).toBe(TOKEN);
    expect(loaded.azureDevOps?.orgUrl).toBe("https://dev.azure.com/acme");
  });

  it.skipIf(process.platform === "win32")("refuses a file others can read, without reading it", async () => {
    const secretsFile = await file("open.yaml", `github:\n  token: ${TOKEN}\n`, 0o644);
    const error = await loadProviderCredentials({ secretsFile, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderConfigError);
    expect((error as Error).message).toMatch(/FACTORY_SECRETS_FILE .*mode 644.*chmod 600/);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it("names the bad field and never echoes a value", async () => {
    const secretsFile = await file("bad.yaml", `github:\n  token: ${TOKEN}\n  app:\n    id: nope\n`, 0o600);
    const error = await loadProviderCredentials({ secretsFile, env: {} }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/github\.app\.id/);
    expect((error as Error).message).toMatch(/github\.app\.installationId/);
    expect((error as Error).message).not.toContain(TOKEN);
    const missing = await loadProviderCredentials({
      env: { AZURE_DEVOPS_ORG_URL: "https://dev.azure.com/acme" },
    }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/azureDevOps: needs pat, servicePrincipal or user/);
  });

  it("is empty when nothing is configured", async () => {
    expect(await loadProviderCredentials({ env: {} })).toEqual({});
  });

  it("keeps secret values out of JSON, strings and the inspector", async () => {
    const loaded = await loadProviderCredentials({ env: { GITHUB_TOKEN: TOKEN } });
    const shown = [JSON.stringify(loaded), `${loaded.github?.token}`, inspect(loaded, { depth: 5 })].join(
      "\n",
    );
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain("[secret]");
  });
});
