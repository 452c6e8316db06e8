import type { WebApi } from "azure-devops-node-api";
import { groupsInScope, projectScope } from "../mcp-servers/azure-devops/graph.ts";
import { POLICY_TYPE } from "../mcp-servers/azure-devops/operations/policies.ts";
import { listMembers } from "../mcp-servers/azure-devops/operations/security.ts";

/** The whole Azure DevOps organisation, each thing named `<project>/<name>`. */
export interface AzureDevOpsState {
  projects: string[];
  repos?: string[];
  pipelines?: string[];
  serviceConnections?: string[];
  /** Every project's security groups, built-in ones included. */
  groups?: string[];
  /** Each group's direct members, as `<project>/<group> ← <principal or group name>`. */
  members?: string[];
  /** Enabled, blocking branch policies, as `<project>/<repo>:<branch> <kind>` (minimumReviewers, build). */
  branchPolicies?: string[];
}

const KIND_OF_TYPE = new Map<string, string>(Object.entries(POLICY_TYPE).map(([kind, id]) => [id, kind]));

interface PolicyScope {
  repositoryId?: string;
  refName?: string;
}

/** One project's groups with their members, read through Graph as the factory reads them. */
async function groupsOf(api: WebApi, project: string) {
  const scope = await projectScope(api, project, "eval_state", project);
  const groups = await groupsInScope(api, scope.scopeDescriptor);
  const members = await Promise.all(
    groups.map(async (g) =>
      (await listMembers(api, g.descriptor)).map((m) => `${project}/${g.displayName} ← ${m.name}`),
    ),
  );
  return { groups: groups.map((g) => `${project}/${g.displayName}`), members: members.flat() };
}

/** One project's branch policies, each scope a line, repositories by name. */
async function branchPoliciesOf(api: WebApi, project: string, repoNames: Map<string, string>) {
  const configurations = await (await api.getPolicyApi()).getPolicyConfigurations(project);
  return configurations
    .filter((c) => c.isEnabled && c.isBlocking && KIND_OF_TYPE.has(c.type?.id ?? ""))
    .flatMap((c) =>
      ((c.settings?.scope ?? []) as PolicyScope[]).map((s) => {
        const repo = repoNames.get(s.repositoryId ?? "") ?? s.repositoryId ?? "*";
        const branch = (s.refName ?? "*").replace(/^refs\/heads\//, "");
        return `${project}/${repo}:${branch} ${KIND_OF_TYPE.get(c.type?.id ?? "")}`;
      }),
    );
}

/** What the organisation holds, read by its owner through the client library (and Graph, as the factory does). */
export async function azureDevOpsState(api: WebApi): Promise<AzureDevOpsState> {
  const [core, git, pipelines, endpoints] = await Promise.all([
    api.getCoreApi(),
    api.getGitApi(),
    api.getPipelinesApi(),
    api.getServiceEndpointApi(),
  ]);
  const projects = (await core.getProjects()).map((p) => p.name as string).sort();
  const state: Required<AzureDevOpsState> = {
    projects,
    repos: [],
    pipelines: [],
    serviceConnections: [],
    groups: [],
    members: [],
    branchPolicies: [],
  };
  for (const project of projects) {
    const named = (items: { name?: string }[]) => items.map((i) => `${project}/${i.name}`);
    const repos = await git.getRepositories(project);
    state.repos.push(...named(repos));
    state.pipelines.push(...named(await pipelines.listPipelines(project)));
    state.serviceConnections.push(...named(await endpoints.getServiceEndpoints(project)));
    const { groups, members } = await groupsOf(api, project);
    state.groups.push(...groups);
    state.members.push(...members);
    const repoNames = new Map(repos.map((r) => [r.id ?? "", r.name ?? ""]));
    state.branchPolicies.push(...(await branchPoliciesOf(api, project, repoNames)));
  }
  for (const list of Object.values(state)) list.sort();
  return state;
}
