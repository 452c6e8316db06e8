import sodium from "libsodium-wrappers";
import { z } from "zod";
import type { GitHubClient } from "../client.ts";
import { hasStatus, operation } from "../operation.ts";
import { Org, RepoName, repoResource } from "./fields.ts";

const Name = z
  .string()
  .regex(
    /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i,
    "letters, digits and _, not starting with a digit or GITHUB_",
  )
  .max(255)
  .describe("the secret's or variable's name, e.g. NPM_TOKEN");
const Visibility = z
  .enum(["all", "private", "selected"])
  .default("private")
  .describe("which repositories can use it");

/** Seals a value for GitHub with the target's public key (libsodium sealed box, as GitHub requires). */
export async function seal(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const sealed = sodium.crypto_box_seal(
    sodium.from_string(value),
    sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL),
  );
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}

interface Target {
  owner: string;
  repo?: string | undefined;
}
const where = (t: Target) =>
  t.repo ? `${repoResource({ owner: t.owner, repo: t.repo })}` : `org ${t.owner}`;

async function publicKey(client: GitHubClient, t: Target) {
  return t.repo
    ? (await client.rest.actions.getRepoPublicKey({ owner: t.owner, repo: t.repo })).data
    : (await client.rest.actions.getOrgPublicKey({ org: t.owner })).data;
}

const TargetInput = {
  owner: Org,
  repo: RepoName.optional().describe("the repository; omit for an organisation-level secret or variable"),
};

export const actionsOperations = {
  secrets_set_secret: operation({
    name: "secrets_set_secret",
    summary: "Set an Actions secret on a repository or organisation; the value is sealed before it leaves",
    write: true,
    input: z.object({
      ...TargetInput,
      name: Name,
      value: z
        .string()
        .min(1)
        .max(48 * 1024)
        .describe("the secret value; only its sealed form is sent"),
      visibility: Visibility,
    }),
    resource: (i) => `${where(i)}/secrets/${i.name}`,
    run: async (client, i) => {
      const key = await publicKey(client, i);
      const encrypted_value = await seal(i.value, key.key);
      const response = i.repo
        ? await client.rest.actions.createOrUpdateRepoSecret({
            owner: i.owner,
            repo: i.repo,
            secret_name: i.name,
            encrypted_value,
            key_id: key.key_id,
          })
        : await client.rest.actions.createOrUpdateOrgSecret({
            org: i.owner,
            secret_name: i.name,
            encrypted_value,
            key_id: key.key_id,
            visibility: i.visibility,
          });
      return { name: i.name.toUpperCase(), created: response.status === 201 };
    },
  }),

  secrets_list_secrets: operation({
    name: "secrets_list_secrets",
    summary: "List Actions secret names (never values) of a repository or organisation",
    write: false,
    input: z.object(TargetInput),
    resource: (i) => `${where(i)}/secrets`,
    run: async (client, i) => {
      const data = i.repo
        ? (await client.rest.actions.listRepoSecrets({ owner: i.owner, repo: i.repo, per_page: 100 })).data
        : (await client.rest.actions.listOrgSecrets({ org: i.owner, per_page: 100 })).data;
      return data.secrets.map((s) => ({ name: s.name, updatedAt: s.updated_at }));
    },
  }),

  secrets_delete_secret: operation({
    name: "secrets_delete_secret",
    summary: "Delete an Actions secret; one already gone is left alone",
    write: true,
    input: z.object({ ...TargetInput, name: Name }),
    resource: (i) => `${where(i)}/secrets/${i.name}`,
    run: async (client, i) => {
      try {
        if (i.repo)
          await client.rest.actions.deleteRepoSecret({ owner: i.owner, repo: i.repo, secret_name: i.name });
        else await client.rest.actions.deleteOrgSecret({ org: i.owner, secret_name: i.name });
        return { name: i.name, deleted: true };
      } catch (error) {
        if (hasStatus(error, 404)) return { name: i.name, deleted: false };
        throw error;
      }
    },
  }),

  variables_set_variable: operation({
    name: "variables_set_variable",
    summary: "Create or update an Actions variable on a repository or organisation",
    write: true,
    input: z.object({
      ...TargetInput,
      name: Name,
      value: z
        .string()
        .max(48 * 1024)
        .describe("the variable's value (not secret: visible in logs)"),
      visibility: Visibility,
    }),
    resource: (i) => `${where(i)}/variables/${i.name}`,
    run: async (client, i) => {
      const name = i.name.toUpperCase();
      const current = await readVariable(client, { ...i, name });
      if (current?.value === i.value) return { name, changed: false };
      if (current) {
        if (i.repo)
          await client.rest.actions.updateRepoVariable({
            owner: i.owner,
            repo: i.repo,
            name,
            value: i.value,
          });
        else await client.rest.actions.updateOrgVariable({ org: i.owner, name, value: i.value });
      } else if (i.repo)
        await client.rest.actions.createRepoVariable({ owner: i.owner, repo: i.repo, name, value: i.value });
      else
        await client.rest.actions.createOrgVariable({
          org: i.owner,
          name,
          value: i.value,
          visibility: i.visibility,
        });
      return { name, changed: true };
    },
  }),

  variables_get_variable: operation({
    name: "variables_get_variable",
    summary: "Get an Actions variable, or null when there is none",
    write: false,
    input: z.object({ ...TargetInput, name: Name }),
    resource: (i) => `${where(i)}/variables/${i.name}`,
    run: (client, i) => readVariable(client, i).then((v) => v ?? null),
  }),
};

async function readVariable(client: GitHubClient, i: Target & { name: string }) {
  try {
    const { data } = i.repo
      ? await client.rest.actions.getRepoVariable({ owner: i.owner, repo: i.repo, name: i.name })
      : await client.rest.actions.getOrgVariable({ org: i.owner, name: i.name });
    return { name: data.name, value: data.value };
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}
