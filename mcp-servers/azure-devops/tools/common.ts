import { AZURE_DEVOPS_OPERATIONS, type AzureDevOpsOperationName } from "../factory.ts";

/** The operation's own summary, then when a model should reach for the tool. */
export const about = (name: AzureDevOpsOperationName, when: string): string =>
  `${AZURE_DEVOPS_OPERATIONS[name].summary}. ${when}`;

/** The tenant a project belongs to (`tenant-acme` → `acme`), or undefined for a project outside the convention. */
const tenantOf = (project: string) => /^tenant-([a-z0-9][a-z0-9-]*)$/.exec(project)?.[1];

/**
 * The name policy decides on for something named inside a project (a repository, pipeline or service
 * connection): its bare name when it carries its project's tenant (`acme-app` in `tenant-acme`), which the role
 * templates' `{tenant}-*` matches; otherwise `project/name`, which no tenant's template matches. So a name
 * carrying one tenant's prefix cannot reach into another tenant's project.
 */
export function nameInProject(project: string, name: string): string {
  const tenant = tenantOf(project);
  return tenant && name.startsWith(`${tenant}-`) ? name : `${project}/${name}`;
}

/** A project-level resource: policy decides on the project (`tenant-acme`). */
export const projectResource = (i: { project: string }) => ({ kind: "project", name: i.project });

/** A repository in a project (see `nameInProject`). */
export const repositoryResource = (i: { project: string; repo: string }) => ({
  kind: "repository",
  name: nameInProject(i.project, i.repo),
});
