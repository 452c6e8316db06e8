import { z } from "zod";
import { type Resource, request } from "../area-client.ts";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";

/**
 * PAT lifecycle management (the library has no client for it): resource area Tokens, served by
 * vssps.dev.azure.com on the cloud. It answers only an Entra user's bearer token, never a PAT or a service
 * principal, so these operations need a factory built with `kind: "bearer"` on a user's token.
 */
const PATS: Resource = {
  areaId: "55967393-20ef-45c6-a96c-b5d5d5986a9a",
  area: "tokens",
  locationId: "2c1965e2-28da-4aa1-bc64-b8a58537ae9b",
  version: "7.1-preview.1",
};

/** The scopes Azure DevOps issues PATs for, as it names them. */
export const PatScope = z
  .enum([
    "vso.advsec",
    "vso.advsec_write",
    "vso.advsec_manage",
    "vso.agentpools",
    "vso.agentpools_manage",
    "vso.analytics",
    "vso.auditlog",
    "vso.build",
    "vso.build_execute",
    "vso.code",
    "vso.code_write",
    "vso.code_manage",
    "vso.code_full",
    "vso.code_status",
    "vso.connected_server",
    "vso.dashboards",
    "vso.dashboards_manage",
    "vso.entitlements",
    "vso.environment_manage",
    "vso.extension",
    "vso.extension_manage",
    "vso.extension.data",
    "vso.extension.data_write",
    "vso.graph",
    "vso.graph_manage",
    "vso.identity",
    "vso.identity_manage",
    "vso.machinegroup_manage",
    "vso.memberentitlementmanagement",
    "vso.memberentitlementmanagement_write",
    "vso.notification",
    "vso.notification_write",
    "vso.notification_manage",
    "vso.packaging",
    "vso.packaging_write",
    "vso.packaging_manage",
    "vso.pipelineresources_use",
    "vso.pipelineresources_manage",
    "vso.profile",
    "vso.project",
    "vso.project_write",
    "vso.project_manage",
    "vso.release",
    "vso.release_execute",
    "vso.release_manage",
    "vso.security_manage",
    "vso.serviceendpoint",
    "vso.serviceendpoint_query",
    "vso.serviceendpoint_manage",
    "vso.symbols",
    "vso.symbols_write",
    "vso.symbols_manage",
    "vso.taskgroups_read",
    "vso.taskgroups_write",
    "vso.taskgroups_manage",
    "vso.test",
    "vso.test_write",
    "vso.threads_full",
    "vso.tokens",
    "vso.tokenadministration",
    "vso.variablegroups_read",
    "vso.variablegroups_write",
    "vso.variablegroups_manage",
    "vso.wiki",
    "vso.wiki_write",
    "vso.work",
    "vso.work_write",
    "vso.work_full",
  ])
  .describe("an Azure DevOps scope, e.g. vso.code (read code) or vso.build_execute (queue builds)");

/** Azure DevOps caps a PAT's life at one year. */
const MAX_DAYS = 365;

interface PatToken {
  displayName: string;
  validTo: string;
  scope: string;
  validFrom: string;
  authorizationId: string;
  token: string | null;
}
interface PatTokenResult {
  patToken: PatToken | null;
  patTokenError: string;
}

/** What a PAT is, without its secret. */
const described = (p: PatToken) => ({
  authorizationId: p.authorizationId,
  displayName: p.displayName,
  scopes: p.scope.split(" ").filter(Boolean),
  validFrom: p.validFrom,
  validTo: p.validTo,
});

/** The service's refusal of a creation: the reason arrives in `patTokenError`, with a 400 or even a 200. */
function creationRefused(resource: string, status: number, patTokenError: string): AzureDevOpsFactoryError {
  return new AzureDevOpsFactoryError(
    "tokens_create_pat",
    resource,
    status,
    `the service refused to create the PAT: ${patTokenError}`,
    patTokenError,
  );
}

async function findPat(client: AzureDevOpsClient, authorizationId: string): Promise<PatToken | null> {
  const found = await request<PatTokenResult>(client, PATS, "GET", { query: { authorizationId } });
  return found?.patToken ?? null;
}

export const tokenOperations = {
  tokens_create_pat: operation({
    name: "tokens_create_pat",
    summary:
      "Create a personal access token for the signed-in user, limited to the given scopes and expiring after the given lifetime; the token is shown only in this answer",
    write: true,
    input: z
      .object({
        displayName: z.string().trim().min(1).max(256).describe("the token's name, e.g. acme-ci"),
        scopes: z.array(PatScope).min(1).describe("what the token may do; the fewer the better"),
        lifetimeMinutes: z
          .number()
          .int()
          .min(1)
          .max(MAX_DAYS * 1440)
          .optional()
          .describe("how long it lives, in minutes (or give lifetimeDays)"),
        lifetimeDays: z
          .number()
          .int()
          .min(1)
          .max(MAX_DAYS)
          .optional()
          .describe("how long it lives, in days, at most 365 (or give lifetimeMinutes)"),
      })
      .refine((i) => (i.lifetimeMinutes === undefined) !== (i.lifetimeDays === undefined), {
        path: ["lifetimeMinutes"],
        message: "give exactly one of lifetimeMinutes and lifetimeDays",
      }),
    resource: (i) => `pats/${i.displayName}`,
    run: async (client, i) => {
      const minutes = i.lifetimeMinutes ?? (i.lifetimeDays ?? 0) * 1440;
      const body = {
        displayName: i.displayName,
        scope: [...new Set(i.scopes)].join(" "),
        validTo: new Date(Date.now() + minutes * 60_000).toISOString(),
        allOrgs: false,
      };
      const resource = `pats/${i.displayName}`;
      const result = await request<PatTokenResult>(client, PATS, "POST", { body }).catch((error: unknown) => {
        const e = error as { statusCode?: number; result?: { patTokenError?: string } };
        if (e.result?.patTokenError)
          throw creationRefused(resource, e.statusCode ?? 400, e.result.patTokenError);
        throw error;
      });
      const pat = result?.patToken;
      if (!pat?.token || (result?.patTokenError ?? "none") !== "none")
        throw creationRefused(resource, 200, result?.patTokenError ?? "no token in the answer");
      return { ...described(pat), token: pat.token };
    },
  }),

  tokens_list_pats: operation({
    name: "tokens_list_pats",
    summary:
      "List the signed-in user's personal access tokens in the organisation (never the tokens themselves)",
    write: false,
    input: z.object({
      filter: z
        .enum(["active", "revoked", "expired", "all"])
        .default("active")
        .describe("which tokens: active (default), revoked, expired or all"),
    }),
    resource: () => "pats",
    run: async (client, i) => {
      const all: ReturnType<typeof described>[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await request<{ patTokens?: PatToken[]; continuationToken?: string | null }>(
          client,
          PATS,
          "GET",
          { query: { displayFilterOption: i.filter, continuationToken } },
        );
        all.push(...(page?.patTokens ?? []).map(described));
        continuationToken = page?.continuationToken || undefined;
      } while (continuationToken);
      return all;
    },
  }),

  tokens_revoke_pat: operation({
    name: "tokens_revoke_pat",
    summary:
      "Revoke one of the signed-in user's personal access tokens by its authorization id; it stops working at once",
    write: true,
    input: z.object({
      authorizationId: z
        .uuid()
        .describe("the token's authorization id, from tokens_create_pat or tokens_list_pats"),
    }),
    resource: (i) => `pats/${i.authorizationId}`,
    run: async (client, i) => {
      // The library answers a 404 with null, so an unknown id is looked up first to be reported as one.
      if (!(await findPat(client, i.authorizationId)))
        throw new AzureDevOpsFactoryError(
          "tokens_revoke_pat",
          `pats/${i.authorizationId}`,
          404,
          `no personal access token has authorization id ${i.authorizationId}`,
          "SessionTokenNotFoundException",
        );
      await request(client, PATS, "DELETE", { query: { authorizationId: i.authorizationId } });
      return { authorizationId: i.authorizationId, revoked: true };
    },
  }),
};
