import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../controller/config.ts";
import { lockDataDir } from "../../controller/db/data-dir-lock.ts";
import { type Database, openDatabase } from "../../controller/db/database.ts";
import { startAzureDevOpsSandbox } from "../../sandbox/azure-devops/embedded.ts";
import { startGitHubSandbox } from "../../sandbox/github/embedded.ts";
import { CliError, emit } from "../output.ts";

const collect = (value: string, previous: string[]) => [...previous, value];
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description(
      "Serve the offline GitHub and Azure DevOps sandboxes on their own (the REST APIs the real Octokit and azure-devops-node-api clients talk to, state in the database), for development and MCP clients.",
    )
    .option("--port <port>", "where to listen (default FACTORY_SANDBOX_PORT, 7301; 0 picks a free port)")
    .option("--org <login>", "the GitHub organisation the startup-factory App is installed on", undefined)
    .option(
      "--ado-port <port>",
      "where the Azure DevOps sandbox listens (default FACTORY_SANDBOX_ADO_PORT, 7302)",
    )
    .option(
      "--user <login>",
      "a user to create, printing a GitHub token and an Azure DevOps PAT for them (repeatable)",
      collect,
      [],
    )
    .option("--json", "print the address, App and tokens as JSON")
    .addHelpText(
      "after",
      "\nState lives in DATABASE_URL when set, else in an embedded database of its own under FACTORY_DATA_DIR/sandbox\n(so it can run beside `factory start`). The App's private key is kept in FACTORY_KEYS_DIR.\nExit codes: 0 stopped cleanly, 2 bad input or the data directory is busy.",
    )
    .action(
      async (opts: { port?: string; adoPort?: string; org?: string; user: string[]; json?: boolean }) => {
        const config = loadConfig();
        const portOf = (value: string | undefined, fallback: number, flag: string) => {
          const port = value === undefined ? fallback : Number(value);
          if (!Number.isInteger(port) || port < 0 || port > 65535)
            throw new CliError(`${flag} ${value} is not a port number`);
          return port;
        };
        const port = portOf(opts.port, config.sandbox.port, "--port");
        const adoPort = portOf(opts.adoPort, config.sandbox.adoPort, "--ado-port");
        const org = opts.org ?? config.sandbox.githubOrg;
        for (const login of [org, ...opts.user])
          if (!LOGIN.test(login)) throw new CliError(`${login} is not a GitHub login`);

        let unlock = async () => {};
        let database: Database;
        if (config.database.kind === "postgres") database = await openDatabase(config.database);
        else {
          const dataDir = join(config.dataDir, "sandbox");
          await mkdir(dataDir, { recursive: true });
          unlock = await lockDataDir(dataDir);
          database = await openDatabase({ kind: "pglite", dataDir });
        }
        const github = await startGitHubSandbox(database, {
          host: config.http.host,
          port,
          keysDir: config.keysDir,
          org,
        });
        const ado = await startAzureDevOpsSandbox(database, {
          host: config.http.host,
          port: adoPort,
          org: config.sandbox.adoOrg,
        });
        const users: { login: string; token: string; azureDevOpsPat: string }[] = [];
        for (const login of opts.user) {
          await github.world.addUser(login);
          await github.world.addMember(org, login, "admin");
          users.push({
            login,
            token: await github.world.personalToken(login),
            azureDevOpsPat: await ado.world.pat(config.sandbox.adoOrg, login),
          });
        }
        const keyFile = join(config.keysDir, "github-sandbox-app.pem");
        emit(
          Boolean(opts.json),
          {
            url: github.url,
            org,
            app: { id: github.app.id, installationId: github.app.installationId, privateKeyFile: keyFile },
            azureDevOps: { orgUrl: ado.orgUrl },
            users,
          },
          () =>
            [
              `GitHub sandbox listening on ${github.url}`,
              `  organisation ${org}; App ${github.app.id}, installation ${github.app.installationId}, private key ${keyFile}`,
              ...users.map((u) => `  personal token for ${u.login} (shown once): ${u.token}`),
              `Azure DevOps sandbox listening on ${ado.orgUrl}`,
              ...users.map((u) => `  PAT for ${u.login} (shown once): ${u.azureDevOpsPat}`),
              `point the controller at them: GITHUB_API_URL=${github.url} GITHUB_APP_ID=${github.app.id} GITHUB_APP_INSTALLATION_ID=${github.app.installationId} AZURE_DEVOPS_ORG_URL=${ado.orgUrl}`,
            ].join("\n"),
        );
        const stop = async () => {
          await github.close();
          await ado.close();
          await database.close();
          await unlock();
          process.exit(0);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    );
}
