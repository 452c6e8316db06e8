import { z } from "zod";

/** Input fields shared by GitHub operations, each described for the model that fills it in. */
export const Org = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub organisation login")
  .describe("the organisation (owner) login");
export const RepoName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1-100 letters, digits, '.', '-' or '_'")
  .refine((n) => n !== "." && n !== "..", "must not be . or ..")
  .describe("the repository name, without the owner");
export const Branch = z
  .string()
  .min(1)
  .max(250)
  .regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$)[^\s~^:?*[\\]+$/, "must be a valid git branch name")
  .describe("a branch name, e.g. main or feature/login");
export const FilePath = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$)).+$/, "must be a relative path inside the repository")
  .describe("a file path inside the repository, e.g. src/index.ts");
export const CommitMessage = z.string().min(1).max(10_000).describe("the commit message");

export const RepoRef = z.object({ owner: Org, repo: RepoName });
export const repoResource = (i: { owner: string; repo: string }) => `${i.owner}/${i.repo}`;
