import type { Condition } from './config.js'

// The words a user reads when a dependency lets the gated service down. Pure, unit-tested.

export interface DependencyFailure {
  service: string
  condition: Condition
  /** the services that wait for it (the gated one, or another dependency) */
  neededBy: string[]
  /** verdict.ts's reason: "exited with code 1", "is unhealthy: ..." */
  why: string
  /** its last health probe's exit code and output (lastHealthOutput) */
  health?: string
  /** its last log lines, oldest first */
  logs: string[]
}

/** The failure of one dependency, in one message: its name, the verdict, its health output and its log's tail. */
export function dependencyFailed(file: string, f: DependencyFailure): string {
  const lines = [`${file}: dependency \`${f.service}\` (${f.condition}, needed by ${f.neededBy.join(', ')}) ${f.why}.`]
  if (f.health) lines.push(`Its last health check: ${f.health}`)
  lines.push(f.logs.length ? `Its last log lines:\n${f.logs.map(l => `  ${l}`).join('\n')}` : 'It logged nothing.')
  lines.push(`See it yourself: docker compose -f ${file} up ${f.service}`)
  return lines.join('\n')
}

/** What was still not decided when the timeout came: each dependency and what it was waiting for. */
export function timedOut(file: string, seconds: number, pending: { service: string; condition: Condition; waiting: string; health?: string }[]): string {
  const each = pending.map(p => `\`${p.service}\` (${p.condition}): ${p.waiting}${p.health ? `; last health check: ${p.health}` : ''}`)
  return `${file}: the dependencies were not ready within ${seconds} s: ${each.join('; ')}.`
}

/** The last `n` non-empty lines of a log. */
export function tail(text: string, n = 20): string[] {
  return text
    .split('\n')
    .map(l => l.replace(/\s+$/, ''))
    .filter(Boolean)
    .slice(-n)
}
