import { z } from "zod";
import { operation } from "../operation.ts";
import { contentOperations } from "./contents.ts";
import { Branch, RepoRef, repoResource } from "./fields.ts";

const Owner = z
  .string()
  .regex(/^(@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?|[^@\s]+@[^@\s]+)$/, "@user, @org/team or an email");

/** CODEOWNERS as GitHub reads it: one pattern per line, then its owners. */
export function codeownersText(rules: { pattern: string; owners: string[] }[]): string {
  return `${["# Managed by startup-factory", ...rules.map((r) => `${r.pattern} ${r.owners.join(" ")}`)].join("\n")}\n`;
}

export const codeownersOperations = {
  codeowners_set_codeowners: operation({
    name: "codeowners_set_codeowners",
    summary: "Write .github/CODEOWNERS: who must review changes to which paths",
    write: true,
    input: RepoRef.extend({
      rules: z
        .array(
          z.object({
            pattern: z
              .string()
              .min(1)
              .regex(/^\S+$/, "no spaces")
              .describe("a path pattern as in .gitignore, e.g. * or /src/ or *.ts"),
            owners: z.array(Owner).min(1).describe("who owns matching paths: @user, @org/team or an email"),
          }),
        )
        .min(1)
        .describe("later rules win, as in GitHub"),
      branch: Branch.optional(),
    }),
    resource: (i) => `${repoResource(i)}:.github/CODEOWNERS`,
    run: (client, i) =>
      contentOperations.contents_create_or_update_file.run(client, {
        owner: i.owner,
        repo: i.repo,
        path: ".github/CODEOWNERS",
        content: codeownersText(i.rules),
        message: "Update CODEOWNERS",
        branch: i.branch,
      }),
  }),
};
