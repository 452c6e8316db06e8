import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factoryBin, type RunningFactory, run, startFactory } from "../test/support/cli.ts";

interface StdioEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

describe("factory mcp", () => {
  it("lists a server's tools, a toolset at a time, as JSON, without a controller", async () => {
    const result = await run(factoryBin, ["mcp", "tools", "github", "--toolsets", "issues_prs", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const tools = JSON.parse(result.stdout) as { name: string; toolset: string; readOnlyHint: boolean }[];
    expect(tools.map((t) => t.name)).toContain("issues_create_issue");
    expect(tools.every((t) => t.toolset === "issues_prs")).toBe(true);
  });

  it("fails at start-up, exit 2, on an unknown toolset or tool, and without a grant", async () => {
    const toolset = await run(factoryBin, ["mcp", "github", "--toolsets", "repos,nope"], {
      FACTORY_GRANT: "a.b.c",
    });
    expect(toolset.code).toBe(2);
    expect(toolset.stderr).toContain("unknown toolset nope for the github server");
    const tool = await run(factoryBin, ["mcp", "ai", "--tools", "agents_fly_away"], {
      FACTORY_GRANT: "a.b.c",
    });
    expect(tool.code).toBe(2);
    expect(tool.stderr).toContain("unknown tool agents_fly_away");
    const missing = await run(factoryBin, ["mcp", "github"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("set FACTORY_GRANT");
    expect(missing.stdout).toBe("");
  });

  describe("with a running controller", () => {
    let dataDir: string;
    let factory: RunningFactory;
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "sf-mcp-"));
      factory = await startFactory({ FACTORY_DATA_DIR: dataDir, FACTORY_PORT: "0" });
      env = { FACTORY_URL: factory.url, FACTORY_API_KEY: factory.adminKey as string };
      const response = await fetch(`${factory.url}/tenants`, {
        method: "POST",
        headers: { authorization: `Bearer ${env.FACTORY_API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ id: "acme", displayName: "Acme" }),
      });
      expect(response.status).toBe(201);
    });
    afterAll(async () => {
      await factory?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("prints a Claude Desktop block whose stdio server the real SDK client can use", async () => {
      const printed = await run(
        factoryBin,
        [
          "mcp",
          "config",
          "claude-desktop",
          "--tenant",
          "acme",
          "--persona",
          "founder",
          "--servers",
          "github",
        ],
        env,
      );
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stderr).toContain("claude_desktop_config.json");
      const block = JSON.parse(printed.stdout) as { mcpServers: Record<string, StdioEntry> };
      const entry = block.mcpServers["startup-factory-github"] as StdioEntry;
      expect(entry.command).toBe(process.execPath);
      expect(entry.args).toEqual([factoryBin, "mcp", "github"]);
      expect(Object.keys(entry.env).sort()).toEqual(["FACTORY_GRANT", "FACTORY_URL"]);

      const stderr: string[] = [];
      const transport = new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { PATH: process.env.PATH ?? "", ...entry.env },
        stderr: "pipe",
      });
      transport.stderr?.on("data", (chunk) => stderr.push(String(chunk)));
      const client = new Client({ name: "claude-desktop-stand-in", version: "1.0.0" });
      await client.connect(transport);
      try {
        const tools = (await client.listTools()).tools.map((t) => t.name);
        expect(tools).toContain("repos_create_repository");
        expect(tools).not.toContain("repos_archive_repository");
        const created = await client.callTool({
          name: "repos_create_repository",
          arguments: { owner: "acme", repo: "acme-app" },
        });
        expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
        expect(created.structuredContent).toMatchObject({
          status: "done",
          result: { fullName: "acme/acme-app" },
        });
        const denied = await client.callTool({
          name: "repos_get_repository",
          arguments: { owner: "acme", repo: "globex-app" },
        });
        expect(denied.isError).toBe(true);
      } finally {
        await client.close();
      }
      expect(stderr.join("")).toContain("startup-factory github MCP server on stdio for agent");
    });

    it("prints VS Code's format, over HTTP when asked, and refuses a persona with no template", async () => {
      const http = await run(
        factoryBin,
        [
          "mcp",
          "config",
          "vscode",
          "--tenant",
          "acme",
          "--persona",
          "dev",
          "--servers",
          "github,azure-devops",
          "--transport",
          "http",
        ],
        env,
      );
      expect(http.code, http.stderr).toBe(0);
      const servers = (JSON.parse(http.stdout) as { servers: Record<string, { type: string; url: string }> })
        .servers;
      expect(Object.keys(servers)).toEqual(["startup-factory-github", "startup-factory-azure-devops"]);
      expect(servers["startup-factory-github"]).toMatchObject({
        type: "http",
        url: `${factory.url}/mcp/github`,
      });
      const refused = await run(
        factoryBin,
        ["mcp", "config", "claude-desktop", "--tenant", "acme", "--persona", "intern"],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("role template");
    });
  });
});
