import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, queryRows, type Tx } from "../db/database.ts";
import { modelUsage } from "../db/schema.ts";
import { withTenant } from "../db/scope.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { appendInTransaction } from "../ledger/store.ts";
import type { ModelsFile } from "../policy/model.ts";
import {
  allowlistOf,
  type BudgetRule,
  costMicroUsd,
  estimateMicroUsd,
  type Period,
  personaRules,
  priceOf,
  tenantRules,
  windowOf,
} from "./pricing.ts";

/** One meter of a budget: used so far this period, the limit (null: none), and what is left. */
export interface Meter {
  used: number;
  limit: number | null;
  remaining: number | null;
}

/** A budget with its usage this period. `over` once either meter is past its limit. */
export interface BudgetLine {
  policy: string;
  scope: "tenant" | "persona";
  persona: string | null;
  period: Period;
  from: string;
  until: string;
  tokens: Meter;
  costMicroUsd: Meter;
  over: boolean;
}

/** Allow or deny a model call, with the models.yaml paths that decided and why. */
export interface ModelDecision {
  effect: "allow" | "deny";
  policies: string[];
  reasons: string[];
}

/** One recorded model call. */
export interface UsageRecord {
  id: string;
  tenant: string;
  agentId: string;
  persona: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  recordedAt: string;
  /** False when the model was off the persona's allowlist or the usage took a budget over: still recorded. */
  withinPolicy: boolean;
  /** The models.yaml paths the usage broke, and why; empty when within policy. */
  policies: string[];
  reasons: string[];
}

/** Who is spending: the calling grant's agent. */
export interface Spender {
  tenant: string;
  agentId: string;
  persona: string;
}

/** Serialises one tenant's usage writes, so two calls cannot both squeeze under the same budget. */
const USAGE_LOCK = 7300003;

type Spent = Record<Period, { tokens: number; cost: number }>;

interface Row {
  persona: string;
  day_tokens: string | number;
  day_cost: string | number;
  month_tokens: string | number;
  month_cost: string | number;
}

/** Tokens and cost per persona in the current day and month (the month contains the day). */
async function spentByPersona(tx: Tx, now: Date): Promise<Map<string, Spent>> {
  const day = windowOf("day", now);
  const month = windowOf("month", now);
  const rows = await queryRows<Row>(
    tx,
    sql`select persona,
          coalesce(sum(input_tokens + output_tokens) filter (where recorded_at >= ${day.from.toISOString()}::timestamptz and recorded_at < ${day.until.toISOString()}::timestamptz), 0) as day_tokens,
          coalesce(sum(cost_micro_usd) filter (where recorded_at >= ${day.from.toISOString()}::timestamptz and recorded_at < ${day.until.toISOString()}::timestamptz), 0) as day_cost,
          coalesce(sum(input_tokens + output_tokens), 0) as month_tokens,
          coalesce(sum(cost_micro_usd), 0) as month_cost
        from model_usage
        where recorded_at >= ${month.from.toISOString()}::timestamptz and recorded_at < ${month.until.toISOString()}::timestamptz
        group by persona`,
  );
  return new Map(
    rows.map((r) => [
      r.persona,
      {
        day: { tokens: Number(r.day_tokens), cost: Number(r.day_cost) },
        month: { tokens: Number(r.month_tokens), cost: Number(r.month_cost) },
      },
    ]),
  );
}

const usd = (micro: number) => `$${(micro / 1_000_000).toFixed(6)}`;

function meter(used: number, limit: number | null): Meter {
  return { used, limit, remaining: limit === null ? null : Math.max(0, limit - used) };
}

/**
 * Model budgets and usage under `models.yaml`: reports per tenant and persona, decisions before a model call,
 * and the record after it, refused when the model is off the persona's allowlist or the call would take
 * usage over a budget. Recorded usage goes to the ledger as `model.usage`, refusals as `model.usage.refused`.
 */
export class ModelBudgets {
  readonly #db: Db;
  readonly #ledger: Ledger;
  readonly #models: ModelsFile;
  readonly #clock: () => Date;

  constructor(deps: { db: Db; ledger: Ledger; models: ModelsFile; clock?: () => Date }) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#models = deps.models;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** The models `persona` may call, with their prices in USD per 1M tokens. */
  models(persona: string) {
    return allowlistOf(this.#models, persona).map((id) => {
      const price = this.#models.models[id];
      return {
        id,
        inputUsdPerMillion: price?.input_usd_per_million ?? 0,
        outputUsdPerMillion: price?.output_usd_per_million ?? 0,
      };
    });
  }

  /** Every budget of the tenant and of each persona, with usage so far this day and month. */
  async report(tenant: string): Promise<{ tenant: string; asOf: string; budgets: BudgetLine[] }> {
    const now = this.#clock();
    const spent = await withTenant(this.#db, tenant, (tx) => spentByPersona(tx, now));
    const personas = [...new Set([...Object.keys(this.#models.personas), ...spent.keys()])];
    const rules = [
      ...tenantRules(this.#models, tenant),
      ...personas.flatMap((p) => personaRules(this.#models, p)),
    ];
    return { tenant, asOf: now.toISOString(), budgets: rules.map((r) => this.#line(r, spent, now)) };
  }

  /** What an agent asks before a model call: is `model` allowed, and would `estimatedTokens` fit every budget? */
  async check(spender: Spender, model: string, estimatedTokens: number) {
    const now = this.#clock();
    const price = priceOf(this.#models, model);
    const estimatedCostMicroUsd = price ? estimateMicroUsd(price, estimatedTokens) : 0;
    const spent = await withTenant(this.#db, spender.tenant, (tx) => spentByPersona(tx, now));
    const decision = this.#decide(spender, model, estimatedTokens, estimatedCostMicroUsd, spent, now);
    return { ...decision, model, estimatedTokens, estimatedCostMicroUsd };
  }

  /**
   * Records a model call's usage for the spender. The tokens are spent whatever policy says, so usage off the
   * allowlist or over a budget is recorded too, flagged with the policies it broke: budgets then show it, and
   * the next check refuses. Enforcement is the check before a call.
   */
  async record(
    spender: Spender,
    usage: { model: string; inputTokens: number; outputTokens: number },
  ): Promise<UsageRecord> {
    const now = this.#clock();
    const price = priceOf(this.#models, usage.model);
    const cost = price ? costMicroUsd(price, usage.inputTokens, usage.outputTokens) : 0;
    const tokens = usage.inputTokens + usage.outputTokens;
    const id = `use_${randomUUID()}`;
    return withTenant(this.#db, spender.tenant, async (tx) => {
      // One tenant's records in turn, so each is judged against everything recorded before it.
      await tx.execute(sql`select pg_advisory_xact_lock(${USAGE_LOCK}, hashtext(${spender.tenant}))`);
      const decided = this.#decide(spender, usage.model, tokens, cost, await spentByPersona(tx, now), now);
      const within = decided.effect === "allow";
      const record: UsageRecord = {
        id,
        tenant: spender.tenant,
        agentId: spender.agentId,
        persona: spender.persona,
        model: usage.model,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costMicroUsd: cost,
        recordedAt: now.toISOString(),
        withinPolicy: within,
        policies: within ? [] : decided.policies,
        reasons: within ? [] : decided.reasons,
      };
      await tx.insert(modelUsage).values({
        id,
        tenantId: record.tenant,
        agentId: record.agentId,
        persona: record.persona,
        model: record.model,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        costMicroUsd: record.costMicroUsd,
        recordedAt: now,
      });
      const entry = this.#ledger.prepare({
        tenant: spender.tenant,
        actor: spender.agentId,
        action: "model.usage",
        resource: `agent:${spender.agentId}`,
        payload: {
          usageId: id,
          persona: record.persona,
          model: record.model,
          inputTokens: record.inputTokens,
          outputTokens: record.outputTokens,
          costMicroUsd: record.costMicroUsd,
          withinPolicy: within,
          ...(within ? {} : { policies: record.policies, reasons: record.reasons }),
        },
      });
      await appendInTransaction(tx, [entry], now);
      return record;
    });
  }

  #line(rule: BudgetRule, spent: Map<string, Spent>, now: Date): BudgetLine {
    const window = windowOf(rule.period, now);
    const used = (rule.persona === null ? [...spent.values()] : [spent.get(rule.persona)])
      .map((s) => s?.[rule.period] ?? { tokens: 0, cost: 0 })
      .reduce((a, b) => ({ tokens: a.tokens + b.tokens, cost: a.cost + b.cost }), { tokens: 0, cost: 0 });
    const tokens = meter(used.tokens, rule.tokens);
    const costMicroUsd = meter(used.cost, rule.costMicroUsd);
    return {
      policy: rule.policy,
      scope: rule.scope,
      persona: rule.persona,
      period: rule.period,
      from: window.from.toISOString(),
      until: window.until.toISOString(),
      tokens,
      costMicroUsd,
      over:
        (tokens.limit !== null && tokens.used > tokens.limit) ||
        (costMicroUsd.limit !== null && costMicroUsd.used > costMicroUsd.limit),
    };
  }

  #decide(
    spender: Spender,
    model: string,
    tokens: number,
    cost: number,
    spent: Map<string, Spent>,
    now: Date,
  ): ModelDecision {
    const allowlist = allowlistOf(this.#models, spender.persona);
    const listPolicy = `models.personas.${spender.persona}.models`;
    if (!allowlist.includes(model))
      return {
        effect: "deny",
        policies: [listPolicy],
        reasons: [
          allowlist.length === 0
            ? `persona ${spender.persona} may call no models (${listPolicy} is not set)`
            : `${model} is not on persona ${spender.persona}'s allowlist (${listPolicy}): ${allowlist.join(", ")}`,
        ],
      };
    const rules = [
      ...tenantRules(this.#models, spender.tenant),
      ...personaRules(this.#models, spender.persona),
    ];
    const lines = rules.map((rule) => this.#line(rule, spent, now));
    const whose = (l: BudgetLine) => (l.persona === null ? "the tenant's" : `persona ${l.persona}'s`);
    const over: BudgetLine[] = [];
    const reasons: string[] = [];
    for (const line of lines) {
      const tooMany = line.tokens.limit !== null && line.tokens.used + tokens > line.tokens.limit;
      const tooDear =
        line.costMicroUsd.limit !== null && line.costMicroUsd.used + cost > line.costMicroUsd.limit;
      if (tooMany)
        reasons.push(
          `${whose(line)} ${line.period} budget (${line.policy}): ${line.tokens.used} of ${line.tokens.limit} tokens used, ${tokens} more would exceed it`,
        );
      if (tooDear)
        reasons.push(
          `${whose(line)} ${line.period} budget (${line.policy}): ${usd(line.costMicroUsd.used)} of ${usd(line.costMicroUsd.limit as number)} spent, ${usd(cost)} more would exceed it`,
        );
      if (tooMany || tooDear) over.push(line);
    }
    if (over.length > 0) return { effect: "deny", policies: over.map((l) => l.policy), reasons };
    const limited = lines.filter((l) => l.tokens.limit !== null || l.costMicroUsd.limit !== null);
    return {
      effect: "allow",
      policies: [listPolicy, ...limited.map((l) => l.policy)],
      reasons: [
        `${model} is on persona ${spender.persona}'s allowlist`,
        ...limited.map((l) => `within ${whose(l)} ${l.period} budget (${l.policy})`),
      ],
    };
  }
}
