import { BUDGET_PERIODS, type ModelsFile, type PeriodBudgets } from "../policy/model.ts";

/** Money is kept in whole micro-dollars (1e-6 USD) so sums stay exact. */
export const toMicroUsd = (usd: number): number => Math.round(usd * 1_000_000);

/** A model's price, in micro-dollars per 1M tokens (integers, so a cost is computed exactly). */
export interface Price {
  input: bigint;
  output: bigint;
}

/** The price of `model` under `models.yaml`, or undefined if it has none. */
export function priceOf(models: ModelsFile, model: string): Price | undefined {
  const entry = Object.hasOwn(models.models, model) ? models.models[model] : undefined;
  if (!entry) return undefined;
  return {
    input: BigInt(toMicroUsd(entry.input_usd_per_million)),
    output: BigInt(toMicroUsd(entry.output_usd_per_million)),
  };
}

/** A call's cost in micro-dollars: tokens × price per 1M, rounded up so usage is never under-counted. */
export function costMicroUsd(price: Price, inputTokens: number, outputTokens: number): number {
  const numerator = BigInt(inputTokens) * price.input + BigInt(outputTokens) * price.output;
  const million = 1_000_000n;
  return Number((numerator + million - 1n) / million);
}

/**
 * The cost of an estimate whose split between input and output is unknown: every token at the dearer of the
 * two rates, so a budget check never under-estimates.
 */
export function estimateMicroUsd(price: Price, tokens: number): number {
  const dearer = price.input > price.output ? price.input : price.output;
  return costMicroUsd({ input: dearer, output: 0n }, tokens, 0);
}

export type Period = (typeof BUDGET_PERIODS)[number];

/** A calendar period in UTC: `[from, until)`. */
export interface Window {
  period: Period;
  from: Date;
  until: Date;
}

/** The UTC day or month that `now` falls in. */
export function windowOf(period: Period, now: Date): Window {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (period) {
    case "day":
      return { period, from: new Date(Date.UTC(y, m, d)), until: new Date(Date.UTC(y, m, d + 1)) };
    case "month":
      return { period, from: new Date(Date.UTC(y, m, 1)), until: new Date(Date.UTC(y, m + 1, 1)) };
    default: {
      const unreachable: never = period;
      return unreachable;
    }
  }
}

/** One budget line of the policy: whose it is, which period, its limits, and the models.yaml path naming it. */
export interface BudgetRule {
  policy: string;
  scope: "tenant" | "persona";
  persona: string | null;
  period: Period;
  /** Null: this period is not limited on that meter. */
  tokens: number | null;
  costMicroUsd: number | null;
}

function rulesOf(
  budgets: PeriodBudgets,
  path: string,
  scope: BudgetRule["scope"],
  persona: string | null,
): BudgetRule[] {
  return BUDGET_PERIODS.map((period) => {
    const budget = budgets[period];
    return {
      policy: `${path}.${period}`,
      scope,
      persona,
      period,
      tokens: budget?.tokens ?? null,
      costMicroUsd: budget?.cost_usd === undefined ? null : toMicroUsd(budget.cost_usd),
    };
  });
}

/** The tenant's budget rules for every period: its own override in `budgets.tenants`, else `budgets.tenant`. */
export function tenantRules(models: ModelsFile, tenant: string): BudgetRule[] {
  const own = Object.hasOwn(models.budgets.tenants, tenant) ? models.budgets.tenants[tenant] : undefined;
  return own
    ? rulesOf(own, `models.budgets.tenants.${tenant}`, "tenant", null)
    : rulesOf(models.budgets.tenant, "models.budgets.tenant", "tenant", null);
}

/** A persona's own budget rules for every period (unlimited where models.yaml sets none). */
export function personaRules(models: ModelsFile, persona: string): BudgetRule[] {
  const entry = Object.hasOwn(models.personas, persona) ? models.personas[persona] : undefined;
  return rulesOf(entry?.budget ?? {}, `models.personas.${persona}.budget`, "persona", persona);
}

/** The models a persona may call, in the policy's order; empty when models.yaml does not name it. */
export function allowlistOf(models: ModelsFile, persona: string): string[] {
  return Object.hasOwn(models.personas, persona) ? (models.personas[persona]?.models ?? []) : [];
}
