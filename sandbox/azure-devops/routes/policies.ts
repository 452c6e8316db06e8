import type { Context } from "hono";
import { Hono } from "hono";
import { getRef } from "../../git.ts";
import { type AdoEnv, identityRef, requireScope, stableId } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import {
  type AdoRepo,
  type PolicyConfiguration,
  type Project,
  type PullRequest,
  policyKey,
  pullRequestKey,
} from "../model.ts";
import { evaluatePullRequest, POLICY_TYPES, policyType, settingsProblem } from "../policies.ts";
import { wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;

const apiBase = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;

function typeJson(c: Context, project: Project, t: (typeof POLICY_TYPES)[number]) {
  const url = `${apiBase(c)}/${project.id}/_apis/policy/types/${t.id}`;
  return { ...t, url, _links: { self: { href: url } } };
}

function configurationJson(c: Context, project: Project, p: PolicyConfiguration) {
  const url = `${apiBase(c)}/${project.id}/_apis/policy/configurations/${p.id}`;
  const type = policyType(p.typeId);
  const typeUrl = `${apiBase(c)}/${project.id}/_apis/policy/types/${p.typeId}`;
  return {
    createdBy: identityRef(c.req.param("org") ?? "", p.createdBy),
    createdDate: p.createdDate,
    isEnabled: p.isEnabled,
    isBlocking: p.isBlocking,
    isDeleted: false,
    isEnterpriseManaged: false,
    settings: p.settings,
    _links: { self: { href: url }, policyType: { href: typeUrl } },
    revision: p.revision,
    id: p.id,
    url,
    type: { id: p.typeId, url: typeUrl, displayName: type?.displayName },
  };
}

/** The configuration in a request body: a known type, and settings that fit it (scopes, counts, pipeline). */
async function configurationOf(c: Context<AdoEnv>, project: Project) {
  const body = (await c.req.json().catch(() => ({}))) as Body;
  const typeId = String((body.type as { id?: unknown } | undefined)?.id ?? "");
  if (!typeId)
    throw new AzureDevOpsError(
      400,
      "Value cannot be null. (Parameter 'configuration.type')",
      "ArgumentNullException",
    );
  const type = policyType(typeId);
  if (!type)
    throw new AzureDevOpsError(
      404,
      `Type with id '${typeId}' does not exist.`,
      "PolicyTypeNotFoundException",
    );
  const settings = (body.settings ?? {}) as Record<string, unknown>;
  const problem = await settingsProblem(
    c.get("objects"),
    c.req.param("org") ?? "",
    project.id,
    type.id,
    settings,
  );
  if (problem)
    throw new AzureDevOpsError(
      400,
      `TF402457: The settings for this policy are not correctly formatted. Error: ${problem}`,
      "PolicySettingsFormatException",
    );
  if (body.isDeleted === true)
    throw new AzureDevOpsError(
      400,
      "Policies cannot be deleted by setting the 'IsDelete' parameter to true. Use the DELETE request instead.",
      "ArgumentException",
    );
  return {
    typeId: type.id,
    isEnabled: body.isEnabled !== false,
    isBlocking: body.isBlocking !== false,
    settings,
    id: typeof body.id === "number" ? body.id : 0,
  };
}

/**
 * Branch policies of a project: configurations (create, list by type, read, replace, delete), the types, and how
 * each blocking policy evaluates for a pull request.
 */
export function policyRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  const configurations = "/:org/:project/_apis/policy/configurations";

  const existing = async (c: Context<AdoEnv>, project: Project) => {
    const id = Number(c.req.param("configurationId"));
    const found = await c.get("objects").get<PolicyConfiguration>("policy", policyKey(project.id, id));
    if (!found)
      throw new AzureDevOpsError(
        404,
        `The policy configuration with ID '${c.req.param("configurationId")}' does not exist.`,
        "PolicyConfigurationNotFoundException",
      );
    return found;
  };

  app.get(configurations, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const typeFilter = c.req.query("policyType")?.toLowerCase();
    const all = await c.get("objects").list<PolicyConfiguration>("policy", `${project.id}/`);
    const value = all
      .filter((p) => !typeFilter || p.typeId === typeFilter)
      .sort((a, b) => a.id - b.id)
      .map((p) => configurationJson(c, project, p));
    return c.json({ count: value.length, value });
  });

  app.get(`${configurations}/:configurationId{[0-9]+}`, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    return c.json(configurationJson(c, project, await existing(c, project)));
  });

  app.post(configurations, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const { id: _ignored, ...config } = await configurationOf(c, project);
    const objects = c.get("objects");
    const created: PolicyConfiguration = {
      ...config,
      id: await objects.nextId(),
      projectId: project.id,
      revision: 1,
      createdBy: pat.user,
      createdDate: new Date().toISOString(),
    };
    await objects.put("policy", policyKey(project.id, created.id), created);
    return c.json(configurationJson(c, project, created));
  });

  app.put(`${configurations}/:configurationId{[0-9]+}`, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const current = await existing(c, project);
    const { id, ...config } = await configurationOf(c, project);
    if (id !== 0 && id !== current.id)
      throw new AzureDevOpsError(
        400,
        "The request body contained a configuration ID that was different from the ID in the URL.",
        "ArgumentException",
      );
    if (config.typeId !== current.typeId)
      throw new AzureDevOpsError(
        400,
        "A policy configuration's policy type cannot be changed once set.",
        "PolicyTypeCannotBeChangedException",
      );
    const updated: PolicyConfiguration = {
      ...current,
      ...config,
      revision: current.revision + 1,
      createdBy: pat.user,
      createdDate: new Date().toISOString(),
    };
    await c.get("objects").put("policy", policyKey(project.id, current.id), updated);
    return c.json(configurationJson(c, project, updated));
  });

  app.delete(`${configurations}/:configurationId{[0-9]+}`, async (c) => {
    await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const current = await existing(c, project);
    await c.get("objects").delete("policy", policyKey(project.id, current.id));
    return c.body(null, 204);
  });

  app.get("/:org/:project/_apis/policy/evaluations", async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const artifactId = c.req.query("artifactId") ?? "";
    const match = /^vstfs:\/\/\/CodeReview\/CodeReviewId\/([0-9a-f-]{36})\/(\d+)$/i.exec(artifactId);
    if (!match)
      throw new AzureDevOpsError(
        400,
        `The supplied artifact ID '${artifactId}' is invalid. Please ensure the artifact URI format is correct.`,
        "InvalidArtifactIdException",
      );
    const pr =
      match[1]?.toLowerCase() === project.id
        ? await objects.get<PullRequest>("pullrequest", pullRequestKey(project.id, Number(match[2])))
        : undefined;
    const repos = await objects.list<AdoRepo>("repo", `${c.req.param("org").toLowerCase()}/${project.id}/`);
    const repo = repos.find((r) => r.id === pr?.repoId);
    if (!pr || !repo)
      throw new AzureDevOpsError(
        404,
        `Artifact id '${artifactId}' does not exist or you do not have permission to view it.`,
        "ArtifactNotFoundException",
      );
    const head = (await getRef(objects, repo, pr.sourceRefName))?.sha ?? "";
    const value = (await evaluatePullRequest(objects, repo, pr, head)).map((e) => ({
      evaluationId: stableId(`${artifactId}/${e.configuration.id}`),
      artifactId,
      status: e.status,
      configuration: configurationJson(c, project, e.configuration),
      startedDate: pr.creationDate,
      ...(e.status === "queued" ? {} : { completedDate: new Date().toISOString() }),
    }));
    return c.json({ count: value.length, value });
  });

  app.get("/:org/:project/_apis/policy/types", async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    return c.json({ count: POLICY_TYPES.length, value: POLICY_TYPES.map((t) => typeJson(c, project, t)) });
  });

  app.get("/:org/:project/_apis/policy/types/:typeId", async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const type = policyType(c.req.param("typeId"));
    if (!type)
      throw new AzureDevOpsError(
        404,
        `Type with id '${c.req.param("typeId")}' does not exist.`,
        "PolicyTypeNotFoundException",
      );
    return c.json(typeJson(c, project, type));
  });

  return app;
}
