import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../controller/config.ts";
import { lockDataDir } from "../../controller/db/data-dir-lock.ts";
import { type Database, openDatabase } from "../../controller/db/database.ts";
import { startGitHubSandbox } from "../../sandbox/github/embedded.ts";
import { CliError, emit } from "../output.ts";

const collect = (value: string, previous: string[]) => [...previous, value];
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description(
      "Serve the offline GitHub sandbox on its own (the REST API the real Octokit client talks to, state in the database), for development and MCP clients.",
    )
    .option("--port <port>", "where to listen (default FACTORY_SANDBOX_PORT, 7301; 0 picks a free port)")
    .option("--org <login>", "the organisation the startup-factory App is installed on", undefined)
    .option(
      "--user <login>",
      "a user to create, printing a personal token for them (repeatable)",
      collect,
      [],
    )
    .option("--json", "print the address, App and tokens as JSON")
    .addHelpText(
      "after",
      "\nState lives in DATABASE_URL when set, else in an embedded database of its own under FACTORY_DATA_DIR/sandbox\n(so it can run beside `factory start`). The App's private key is kept in FACTORY_KEYS_DIR.\nExit codes: 0 stopped cleanly, 2 bad input or the data directory is busy.",
    )
    .action(async (opts: { port?: string; org?: string; user: string[]; json?: boolean }) => {
      const config = loadConfig();
      const port = opts.port === undefined ? config.sandbox.port : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port ${opts.port} is not a port number`);
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
      const users: { login: string; token: string }[] = [];
      for (const login of opts.user) {
        await github.world.addUser(login);
        await github.world.addMember(org, login, "admin");
        users.push({ login, token: await github.world.personalToken(login) });
      }
      const keyFile = join(config.keysDir, "github-sandbox-app.pem");
      emit(
        Boolean(opts.json),
        {
          url: github.url,
          org,
          app: { id: github.app.id, installationId: github.app.installationId, privateKeyFile: keyFile },
          users,
        },
        () =>
          [
            `GitHub sandbox listening on ${github.url}`,
            `  organisation ${org}; App ${github.app.id}, installation ${github.app.installationId}, private key ${keyFile}`,
            ...users.map((u) => `  personal token for ${u.login} (shown once): ${u.token}`),
            `  point the controller at it: GITHUB_API_URL=${github.url} GITHUB_APP_ID=${github.app.id} GITHUB_APP_INSTALLATION_ID=${github.app.installationId}`,
          ].join("\n"),
      );
      const stop = async () => {
        await github.close();
        await database.close();
        await unlock();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
