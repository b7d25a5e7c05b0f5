import { initAdvice } from './init-process.js'
import { isShell, jsonForm } from './signal-relay.js'
import type { BuildWarning, PlatformRun, Stop } from '../report/report.js'

// How BuildKit's build checks read where they are shown, and those that explain another check's failure: a shell-form CMD (JSONArgsRecommended)
// makes a shell PID 1, which does not pass SIGTERM on; an ARG or ENV named like a credential
// (SecretsUsedInArgOrEnv) is a secret in the image next to the files the contents check found.
// Read from the run only; a builder before buildx 0.15 reports none, and then nothing is said.

/**
 * The JSONArgsRecommended warning that explains a stop that was killed: PID 1 is a shell (or could
 * not be read) and no init runs. The last one in the Dockerfile: the final stage's CMD or ENTRYPOINT.
 */
export function shellFormWarning(run: PlatformRun, stop: Stop): BuildWarning | undefined {
  if (stop.outcome !== 'killed' || stop.init) return undefined
  if (stop.pid1 && !isShell(stop.pid1)) return undefined
  const warnings = (run.build.warnings ?? []).filter(w => w.rule === 'JSONArgsRecommended')
  return warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).pop()
}

/**
 * "PID 1 is a shell running the shell-form CMD, as BuildKit's JSONArgsRecommended warning (Dockerfile
 * line 5) says, and a shell does not pass SIGTERM on. Use the JSON form CMD ["node","server.js"] …"
 */
export function shellFormAdvice(warning: BuildWarning, run: PlatformRun, signal: string): string {
  const keyword = /\bENTRYPOINT\b/.test(warning.message) && !/\bCMD\b/.test(warning.message) ? 'ENTRYPOINT' : 'CMD'
  const where = warning.line ? ` (Dockerfile line ${warning.line})` : ''
  const argv = keyword === 'CMD' ? run.image.cmd : run.image.entrypoint
  const script = argv?.length === 3 && /^(\/usr)?\/bin\/(ba)?sh$/.test(argv[0]) && argv[1] === '-c' ? argv[2] : ''
  const form = jsonForm(keyword, script)
  return (
    `PID 1 is a shell running the shell-form ${keyword}, as BuildKit's JSONArgsRecommended warning${where} says, and a shell does not pass ${signal} on. ` +
    `Use the JSON form ${form} so the app is PID 1 and gets ${signal} (and handle it there), or run it under an init that passes it on: ${initAdvice(run)}`
  )
}

/**
 * The SecretsUsedInArgOrEnv warnings, said next to a secret the contents check found:
 * "BuildKit's SecretsUsedInArgOrEnv warning (Dockerfile line 3: ARG "API_TOKEN") …".
 */
export function secretArgAdvice(run: PlatformRun): string {
  const warnings = (run.build.warnings ?? []).filter(w => w.rule === 'SecretsUsedInArgOrEnv')
  if (warnings.length === 0) return ''
  const places = warnings.slice(0, 3).map(w => {
    // the message ends with what it is about: "… sensitive data (ENV "DB_PASSWORD")"
    const what = /\(((?:ARG|ENV) [^)]*)\)$/.exec(w.message)?.[1]
    return [w.line && `Dockerfile line ${w.line}`, what].filter(Boolean).join(': ')
  })
  const more = warnings.length > 3 ? `, and ${warnings.length - 3} more` : ''
  const named = places.some(Boolean) ? ` (${places.filter(Boolean).join('; ')}${more})` : ''
  const one = warnings.length === 1
  return (
    ` BuildKit's SecretsUsedInArgOrEnv warning${one ? '' : 's'}${named} ${one ? 'points' : 'point'} at another secret: an ARG or ENV value stays in the image's history or config. ` +
    'Pass it as a build secret (docker build --secret, RUN --mount=type=secret) instead.'
  )
}

/** A build check where it is named (the build row): "JSONArgsRecommended line 5". */
export function describeWarning(w: BuildWarning): string {
  return w.line ? `${w.rule} line ${w.line}` : w.rule
}
