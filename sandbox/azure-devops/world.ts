import { createHash } from "node:crypto";
import { armedFaults, armFault } from "../faults.ts";
import type { Objects, SandboxStore } from "../store.ts";
import { issueEntraToken, issuePat, newId } from "./auth.ts";
import type { Org, VariableGroup } from "./model.ts";

/** Seeds the Azure DevOps sandbox: organisations and personal access tokens with scopes. */
export class AdoWorld {
  constructor(readonly store: SandboxStore) {}

  #do<T>(work: (o: Objects) => Promise<T>): Promise<T> {
    return this.store.transaction(work);
  }

  addOrg(name: string): Promise<Org> {
    return this.#do(
      async (o) =>
        (await o.get<Org>("org", name.toLowerCase())) ??
        o.put("org", name.toLowerCase(), { id: newId(), name }),
    );
  }

  /** Arms a failure for the next `times` requests to `method path` (a 503, a throttling 429). */
  injectFault(fault: Parameters<typeof armFault>[1]): Promise<void> {
    return armFault(this.store, fault);
  }

  /** The injected faults not yet reached, as `<METHOD> <path> ×<remaining>`. */
  armedFaults(): Promise<string[]> {
    return armedFaults(this.store);
  }

  /** Does variable group `name`'s secret `key` hold `value`? (the sandbox keeps only a fingerprint) */
  secretMatches(org: string, name: string, key: string, value: string): Promise<boolean> {
    return this.#do(async (o) => {
      const groups = await o.list<VariableGroup>("variablegroup", `${org.toLowerCase()}/`);
      const stored = groups.find((g) => g.name === name)?.variables[key];
      return stored?.secretSha256 === createHash("sha256").update(value).digest("hex");
    });
  }

  /**
   * An Entra access token (Bearer) for `user` in `org`, as a sign-in would give: a user's may call the PAT
   * lifecycle API, a service principal's may not.
   */
  entraToken(
    org: string,
    user: string,
    options: { kind?: "user" | "servicePrincipal"; lifetimeMinutes?: number } = {},
  ): Promise<string> {
    return this.#do((o) =>
      issueEntraToken(o, {
        org,
        user,
        kind: options.kind ?? "user",
        expiresAt: new Date(Date.now() + (options.lifetimeMinutes ?? 60) * 60_000).toISOString(),
      }),
    );
  }

  /** A PAT for `user` in `org`; `app_token` is full access. */
  pat(org: string, user: string, scopes: string[] = ["app_token"], lifetimeDays = 30): Promise<string> {
    return this.#do((o) =>
      issuePat(o, {
        org,
        user,
        scopes,
        expiresAt: new Date(Date.now() + lifetimeDays * 86_400_000).toISOString(),
      }),
    );
  }
}
