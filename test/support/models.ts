/** A `models.yaml` with small budgets, so a few calls reach them; globex has its own tenant budget. */
export const TEST_MODELS = `
models:
  gpt-4.1: { input_usd_per_million: 2, output_usd_per_million: 8 }
  gpt-4.1-mini: { input_usd_per_million: 0.4, output_usd_per_million: 1.6 }
  replay: { input_usd_per_million: 0, output_usd_per_million: 0 }
budgets:
  tenant:
    day: { tokens: 10000 }
    month: { cost_usd: 1 }
  tenants:
    globex:
      day: { tokens: 100 }
personas:
  founder:
    models: [gpt-4.1, gpt-4.1-mini, replay]
  dev:
    models: [gpt-4.1-mini, replay]
    budget:
      day: { tokens: 3000, cost_usd: 0.002 }
`;
