import type { z } from "zod";
import { type ClientOptions, type GitHubClient, githubClient } from "./client.ts";
import { invoke, type Operation } from "./operation.ts";
import { actionsOperations } from "./operations/actions.ts";
import { branchOperations } from "./operations/branches.ts";
import { codeownersOperations } from "./operations/codeowners.ts";
import { contentOperations } from "./operations/contents.ts";
import { environmentOperations } from "./operations/environments.ts";
import { issueOperations } from "./operations/issues.ts";
import { protectionOperations } from "./operations/protection.ts";
import { pullOperations } from "./operations/pulls.ts";
import { repoOperations } from "./operations/repos.ts";
import { rulesetOperations } from "./operations/rulesets.ts";
import { securityOperations } from "./operations/security.ts";
import { teamOperations } from "./operations/teams.ts";

/** Every GitHub operation, by the tool name it backs. */
export const GITHUB_OPERATIONS = {
  ...repoOperations,
  ...contentOperations,
  ...branchOperations,
  ...protectionOperations,
  ...rulesetOperations,
  ...teamOperations,
  ...actionsOperations,
  ...environmentOperations,
  ...securityOperations,
  ...issueOperations,
  ...pullOperations,
  ...codeownersOperations,
};
export type GitHubOperationName = keyof typeof GITHUB_OPERATIONS;
type Op<N extends GitHubOperationName> = (typeof GITHUB_OPERATIONS)[N];
export type InputOf<N extends GitHubOperationName> = z.input<Op<N>["input"]>;
export type OutputOf<N extends GitHubOperationName> = Op<N> extends Operation<z.ZodType, infer O> ? O : never;

/**
 * The GitHub governance factory: the only code that calls GitHub. One instance per brokered credential;
 * every operation validates its input (naming the bad field) and reports GitHub's refusals as
 * GitHubFactoryError naming the operation and resource.
 */
export class GitHubFactory {
  readonly client: GitHubClient;
  #requests = 0;

  constructor(options: ClientOptions) {
    this.client = githubClient({
      ...options,
      onRequest: (method, url) => {
        this.#requests++;
        options.onRequest?.(method, url);
      },
    });
  }

  /** HTTP requests this factory has sent to GitHub, retries included. */
  get requests(): number {
    return this.#requests;
  }

  call<N extends GitHubOperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const op = GITHUB_OPERATIONS[name] as unknown as Operation<z.ZodType, OutputOf<N>>;
    return invoke(this.client, op, input);
  }
}
