import {
  type ActionConstraint,
  type EntityUidJson,
  policySetTextToParts,
  policyToJson,
} from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyIssue } from "./load.ts";
import { ActionName, type PolicyMeta } from "./model.ts";

/** Adds a hand-written Cedar file; `@id`, `@reason`, and `@approval`/`@approvers`/`@quorum` annotations are honoured. */
export function addCedarFile(
  file: string,
  text: string,
  add: (m: PolicyMeta, body: string) => void,
  issues: PolicyIssue[],
): void {
  const parts = policySetTextToParts(text);
  if (parts.type === "failure") {
    for (const e of parts.errors) issues.push({ file, path: "", message: e.message });
    return;
  }
  if (parts.policy_templates.length > 0)
    issues.push({ file, path: "", message: "policy templates are not supported" });
  parts.policies.forEach((policy, i) => {
    const json = policyToJson(policy);
    if (json.type === "failure") {
      for (const e of json.errors) issues.push({ file, path: `policy ${i + 1}`, message: e.message });
      return;
    }
    const a = json.json.annotations ?? {};
    const id = a.id ?? `${file}#${i + 1}`;
    const approval =
      a.approval !== undefined
        ? {
            rule: a.approval,
            approvers: (a.approvers ?? "platform-admin").split(",").map((s) => s.trim()),
            quorum: Number(a.quorum ?? 1),
          }
        : undefined;
    if (approval && (!Number.isInteger(approval.quorum) || approval.quorum < 1))
      issues.push({ file, path: id, message: "@quorum must be a positive whole number" });
    const actions = actionsOf(json.json.action);
    add(
      {
        id,
        effect: json.json.effect,
        reason: a.reason ?? `policy ${id} in ${file}`,
        source: file,
        ...(approval ? { approval } : {}),
        ...(actions ? { appliesTo: { actions } } : {}),
      },
      policy,
    );
  });
}

/** The actions a hand-written policy's scope names, when it names only known ones. */
function actionsOf(constraint: ActionConstraint): ActionName[] | undefined {
  let uids: EntityUidJson[] | undefined;
  if (constraint.op === "==" && "entity" in constraint) uids = [constraint.entity];
  else if (constraint.op === "in")
    uids = "entities" in constraint ? constraint.entities : [constraint.entity];
  const ids = uids?.map((u) => ("__entity" in u ? u.__entity.id : u.id));
  return ids?.every((id) => (ActionName.options as readonly string[]).includes(id))
    ? (ids as ActionName[])
    : undefined;
}
