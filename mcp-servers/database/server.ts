import { z } from "zod";
import type { Caller, ServerDefinition } from "../shared/tool.ts";
import { DatabaseFactory } from "./factory.ts";
import { Isolation } from "./names.ts";
import { DatabaseTargets } from "./targets.ts";
import { type DatabaseContext, databaseTools } from "./tools.ts";

/** What the controller's database broker says besides the login: the mode and the tenant's isolation policy. */
const BrokeredDetail = z.object({ mode: z.enum(["postgres", "pglite"]), isolation: Isolation });

/**
 * The Database MCP server: provisions the grant's tenant's database, runs its migrations, rotates its
 * application credentials into the vault, and reports size and status. The tenant-database server's login
 * and the isolation policy come from the controller's broker per call; the targets keep connections (and
 * PGlite clusters) open between calls. Its own are closed with the server; targets the caller gives stay
 * the caller's to close (an eval world keeps its clusters across agent restarts).
 */
export function databaseServer(given?: DatabaseTargets): ServerDefinition<DatabaseContext> {
  const targets = given ?? new DatabaseTargets();
  return {
    name: "database",
    title: "Database governance factory",
    instructions:
      "Manages your tenant's database: provision it first (database_provision_database), then run your migrations (database_run_migrations) — every table ends up under forced row-level security keyed on app.tenant_id. Rotate the application role's password with database_rotate_credentials: you get a secret:// reference, never the value. database_get_status and database_get_size read its state. Every tool works on your grant's tenant and reaches no other.",
    toolsets: { database: "the tenant's database: provisioning, migrations, credentials, size and status" },
    tools: databaseTools,
    async connect(caller: Caller): Promise<DatabaseContext> {
      const credential = await caller.controller.credential(caller.token);
      const detail = BrokeredDetail.parse(credential.detail);
      const tenant = caller.grant.tenant;
      return {
        tenant,
        factory: new DatabaseFactory({
          target: targets.for(credential.endpoint, credential.token),
          tenant,
          isolation: detail.isolation,
          vault: {
            store: async (ref, value) => {
              const stored = await caller.controller.storeSecret(caller.token, ref, value);
              return { ref: stored.ref, fingerprint: stored.fingerprint };
            },
          },
        }),
      };
    },
    close: () => (given ? Promise.resolve() : targets.close()),
  };
}
