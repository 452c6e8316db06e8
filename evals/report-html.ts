import type { Evidence } from "./evidence.ts";
import { stateDiff } from "./provider-state.ts";
import type { EvalReport, ScenarioSummary } from "./run-suites.ts";
import type { TimelineEvent } from "./timeline.ts";

const html = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
const pct = (x: number) => `${Math.round(x * 100)}%`;

function event(e: TimelineEvent): string {
  const at = `<td class="at">${(e.at / 1000).toFixed(2)} s</td>`;
  switch (e.type) {
    case "message":
      return `<tr class="message">${at}<td>${html(e.from)}</td><td>${html(e.text)}</td></tr>`;
    case "tool":
      return `<tr class="tool ${e.status}">${at}<td>${html(e.persona)}</td><td><code>${html(e.tool)}</code> ${e.status}${e.arguments && e.arguments !== "{}" ? ` <code class="args">${html(e.arguments)}</code>` : ""}<details><summary>result</summary><pre>${html(e.text)}</pre></details></td></tr>`;
    case "approval":
      return `<tr class="approval">${at}<td>approver</td><td>${e.decision} <code>${html(e.approvalId)}</code> (${html(e.tool)})</td></tr>`;
    case "phase":
      return `<tr class="phase">${at}<td></td><td>[${html(e.phase)}]</td></tr>`;
    case "error":
      return `<tr class="error">${at}<td>error</td><td>${html(e.message)}</td></tr>`;
  }
}

/** What the run changed in the providers' state, a line per fact (the primary grade's raw material). */
function changes(evidence: Evidence | undefined): string {
  if (!evidence?.before) return "";
  const changed = stateDiff(evidence.before, evidence);
  if (changed.length === 0) return `<p class="changes">The run changed nothing in the providers' state.</p>`;
  return `<details class="changes"><summary>What the run changed (${changed.length})</summary><ul>${changed
    .map((line) => `<li><code>${html(line)}</code></li>`)
    .join("")}</ul></details>`;
}

function scenario(s: ScenarioSummary): string {
  const trials = s.results
    .map(
      (
        r,
      ) => `<section class="${r.pass ? "pass" : "fail"}"><h3>trial ${r.trial}: ${r.pass ? "passed" : "failed"}</h3>
${r.error ? `<p class="error">${html(r.error)}</p>` : ""}
<table class="checks"><tr><th>grader</th><th>check</th><th>expected</th><th>actual</th></tr>
${r.checks
  .map(
    (c) =>
      `<tr class="${c.pass ? "pass" : "fail"}"><td>${c.grader}</td><td>${html(c.name)}</td><td>${c.pass ? "✓" : html(JSON.stringify(c.expected))}</td><td>${c.pass ? "" : html(JSON.stringify(c.actual))}</td></tr>`,
  )
  .join("\n")}</table>
${changes(r.evidence)}
<table class="timeline">${r.timeline.map(event).join("\n")}</table></section>`,
    )
    .join("\n");
  return `<article id="${html(s.id)}"><h2>${s.passAllK ? "✓" : "✗"} ${html(s.id)} — ${html(s.title)} (v${s.version})</h2>
<p>pass@1 ${pct(s.passAt1)}, ${s.toolCalls} tool calls, ${s.denials} refused, ${s.tokens} tokens, $${s.costUsd.toFixed(4)}</p>
${trials}</article>`;
}

/** The report as one self-contained HTML page: the suites' figures, then each scenario's checks and timeline. */
export function htmlReport(report: EvalReport): string {
  const suites = report.suites
    .map(
      (s) =>
        `<tr><td>${html(s.suite)}</td><td>${s.scenarios}</td><td>${pct(s.passAt1)}</td><td>${pct(s.passAllK)}</td><td>${pct(s.attackAttemptedRate)}</td><td>${pct(s.attackSuccessRate)}</td><td>${s.denials}</td><td>${s.toolCalls}</td><td>${s.tokens}</td><td>$${s.costUsd.toFixed(4)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>startup-factory evals ${html(report.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222 }
table { border-collapse: collapse; margin: .5rem 0 } td, th { border: 1px solid #ddd; padding: .2rem .5rem; vertical-align: top; text-align: left }
.pass > h3, tr.pass td:first-child { color: #1a7f37 } .fail > h3, tr.fail td:first-child, .error { color: #cf222e }
tr.refused td, tr.error td { background: #fff1f0 } tr.waiting td, tr.approval td { background: #fff8e1 } tr.phase td { color: #666 }
td.at { color: #888; white-space: nowrap } pre { white-space: pre-wrap; max-width: 60rem } code.args { color: #555; word-break: break-all }
</style></head><body>
<h1>${report.pass ? "All scenarios passed" : "Some scenarios failed"}</h1>
<p>${html(report.startedAt)}, ${(report.durationMs / 1000).toFixed(1)} s, ${report.trials} trial(s) each.</p>
<table><tr><th>suite</th><th>scenarios</th><th>pass@1</th><th>pass^${report.trials}</th><th>attack attempted</th><th>attack succeeded</th><th>refused</th><th>tool calls</th><th>tokens</th><th>cost</th></tr>
${suites}</table>
${report.scenarios.map(scenario).join("\n")}
</body></html>
`;
}
