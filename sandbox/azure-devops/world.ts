import type { Objects, SandboxStore } from "../store.ts";
import { issuePat, newId } from "./auth.ts";
import type { Org } from "./model.ts";

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
