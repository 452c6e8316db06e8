import { differs } from "../../shared/planner.ts";
import { missingItems } from "../operations/boards.ts";
import type { AzureDevOpsBlueprint } from "./blueprint.ts";
import type { AdoPlanner } from "./planner.ts";

/** Each agent queue, with its organisation pool created first when the project has no queue on it. */
export async function planAgentQueues(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const queue of b.agentQueues) {
    const current = projectExists
      ? await p.factory.call("pipelines_get_agent_queue", { project: b.project, pool: queue.pool })
      : null;
    if (current) {
      p.settle(`${b.project}/queues/${queue.pool}`, true, undefined);
      continue;
    }
    p.settle(`pools/${queue.pool}`, false, {
      tool: "pipelines_create_agent_pool",
      input: { pool: queue.pool },
      changes: { pool: [null, queue.pool] },
      calls: 2,
    });
    p.settle(`${b.project}/queues/${queue.pool}`, false, {
      tool: "pipelines_create_agent_queue",
      input: { project: b.project, ...queue },
      changes: { queue: [null, queue.pool] },
      calls: 3,
    });
  }
}

/**
 * Each variable group. Plain values are compared; a secret is compared only by being secret, since Azure
 * DevOps never reads one back: rotating a secret's value is the controller's job, not drift.
 */
export async function planVariableGroups(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const group of b.variableGroups) {
    const current = projectExists
      ? await p.factory.call("pipelines_get_variable_group", { project: b.project, name: group.name })
      : null;
    const desired = Object.fromEntries(
      Object.entries(group.variables).map(([k, v]) => [
        k,
        "secret" in v ? { value: null, isSecret: true } : { value: v.value, isSecret: false },
      ]),
    );
    const variables = Object.fromEntries(
      Object.entries(group.variables).map(([k, v]) => [
        k,
        "secret" in v ? { isSecret: true } : { value: v.value, isSecret: false },
      ]),
    );
    p.settle(
      `${b.project}/variablegroups/${group.name}`,
      current !== null,
      p.when(differs(current, { description: group.description, variables: desired }), {
        tool: "pipelines_set_variable_group",
        input: { project: b.project, name: group.name, description: group.description, variables },
        secretRefs: Object.entries(group.variables).flatMap(([k, v]) =>
          "secret" in v ? [{ path: ["variables", k, "value"], ref: v.secret }] : [],
        ),
        calls: 4,
      }),
    );
  }
}

/** Each service connection, created once (policy holds every one for approval); secrets by reference. */
export async function planServiceConnections(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  if (b.serviceConnections.length === 0) return;
  const existing = projectExists
    ? new Set(
        (await p.factory.call("service_connections_list_connections", { project: b.project })).map((c) =>
          c.name.toLowerCase(),
        ),
      )
    : new Set<string>();
  for (const connection of b.serviceConnections) {
    const exists = existing.has(connection.name.toLowerCase());
    const parameters = Object.fromEntries(
      Object.entries(connection.parameters).flatMap(([k, v]) => ("value" in v ? [[k, v.value]] : [])),
    );
    p.settle(
      `${b.project}/serviceconnections/${connection.name}`,
      exists,
      exists
        ? undefined
        : {
            tool: "service_connections_create_connection",
            input: { project: b.project, ...connection, parameters },
            secretRefs: Object.entries(connection.parameters).flatMap(([k, v]) =>
              "secret" in v ? [{ path: ["parameters", k], ref: v.secret }] : [],
            ),
            changes: { connection: [null, connection.name] },
            calls: 4,
          },
    );
  }
}

/** The backlog: one idempotent step creates whatever epics, features and tasks are missing, under their parents. */
export async function planBacklog(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  if (b.backlog.length === 0) return;
  const existing = projectExists
    ? await p.factory.call("boards_query_work_items", { project: b.project })
    : [];
  const missing = missingItems(b.backlog, existing);
  p.settle(
    `${b.project}/backlog`,
    existing.length > 0,
    p.when(Object.fromEntries(missing.map((m) => [`${m.type}: ${m.title}`, "missing"])), {
      tool: "boards_ensure_backlog",
      input: { project: b.project, backlog: b.backlog },
      calls: 2 + missing.length * 2,
    }),
  );
}
