import { join } from "node:path";
import type { Database } from "../db/database.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { ServerName } from "../policy/model.ts";
import type { LoadedPolicies } from "../policy/policies.ts";
import { GrantIssuer } from "./issue.ts";
import { followRevocations, type RevocationFeed } from "./revocation-feed.ts";
import { RevocationList } from "./revocations.ts";
import { GrantRevoker } from "./revoke.ts";
import { GrantKeyRing } from "./signing-keys.ts";
import { GrantVerifier } from "./verifier.ts";

/** Everything the controller needs to mint, exchange, verify and revoke grants, wired together. */
export interface Grants {
  ring: GrantKeyRing;
  revocations: RevocationList;
  issuer: GrantIssuer;
  revoker: GrantRevoker;
  verifierFor(audience: ServerName): GrantVerifier;
  close(): Promise<void>;
}

export async function openGrants(deps: {
  database: Database;
  ledger: Ledger;
  policies: LoadedPolicies;
  keysDir: string;
  reconcileSeconds?: number;
}): Promise<Grants> {
  // A retired key stays published for as long as any grant it signed can live.
  const overlapSeconds = deps.policies.sources.limits.grants.max_ttl_minutes * 60;
  const ring = await GrantKeyRing.open(join(deps.keysDir, "grants"), overlapSeconds);
  const revocations = new RevocationList();
  const feed: RevocationFeed = await followRevocations(deps.database, revocations, {
    reconcileSeconds: deps.reconcileSeconds ?? 30,
    onError: (error) => console.error("revocation feed:", error),
  });
  // One verifier per audience for the process: each keeps its imported keys and its verified-token cache.
  const verifiers = new Map<ServerName, GrantVerifier>();
  const verifierFor = (audience: ServerName) => {
    let verifier = verifiers.get(audience);
    if (!verifier) {
      verifier = new GrantVerifier({ audience, jwks: () => ring.jwks(), revocations });
      verifiers.set(audience, verifier);
    }
    return verifier;
  };
  const { database, ledger, policies } = deps;
  return {
    ring,
    revocations,
    issuer: new GrantIssuer({ db: database.db, ledger, policies, ring, verifierFor }),
    revoker: new GrantRevoker({ db: database.db, ledger, revocations }),
    verifierFor,
    close: () => feed.stop(),
  };
}
