import { parse as parseYaml } from "yaml";

type Step = { script?: unknown; bash?: unknown; pwsh?: unknown; powershell?: unknown; displayName?: unknown };

/** Every step of a YAML pipeline, whether it lists steps, jobs or stages. */
function stepsOf(doc: Record<string, unknown>): Step[] {
  const steps = (x: unknown): Step[] => (Array.isArray(x) ? (x as Step[]) : []);
  const jobs = (x: unknown): Step[] =>
    Array.isArray(x) ? x.flatMap((j) => steps((j as { steps?: unknown }).steps)) : [];
  return [
    ...steps(doc.steps),
    ...jobs(doc.jobs),
    ...(Array.isArray(doc.stages) ? doc.stages.flatMap((s) => jobs((s as { jobs?: unknown }).jobs)) : []),
  ];
}

/**
 * What a run's log says, as an agent would print it: each script step's section, its command lines, and what
 * its `echo` lines print. The sandbox runs nothing; the log follows from the YAML the run built, so text the
 * repository holds (anyone's, through a pull request) reaches the log as it would on a real agent.
 */
export function runLog(yaml: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch {
    return ["##[error]The pipeline's YAML could not be read."];
  }
  if (!doc || typeof doc !== "object") return ["##[error]The pipeline describes no work."];
  const lines: string[] = [];
  for (const step of stepsOf(doc as Record<string, unknown>)) {
    const script = [step.script, step.bash, step.pwsh, step.powershell].find((s) => typeof s === "string");
    if (typeof script !== "string") continue;
    const name = typeof step.displayName === "string" ? step.displayName : "CmdLine";
    lines.push(`##[section]Starting: ${name}`);
    for (const command of script.split("\n").filter((l) => l.trim())) {
      lines.push(`> ${command}`);
      const echoed = /^\s*echo\s+(.*)$/.exec(command)?.[1];
      if (echoed !== undefined) lines.push(echoed.replace(/^(["'])(.*)\1$/, "$2"));
    }
    lines.push(`##[section]Finishing: ${name}`);
  }
  return lines;
}
