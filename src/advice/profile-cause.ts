import type { PlatformRun, SmokeResult } from '../report/report.js'
import { profileCauses } from '../rules/profile-errors.js'

// What the health row says when the container failed under run-profile or read-only
// (stages/profile-rerun.ts): which setting broke it and where, from its log, with the fix; and,
// when it ran again without the settings, how that went.

type ProfileCause = NonNullable<PlatformRun['health']['profileCause']>
type Cause = ProfileCause['causes'][number]
type Rerun = NonNullable<ProfileCause['rerun']>

/** " `/app/data`: the root filesystem is read-only (read-only: true) — … It logged: `…`. Run again without …"; "" when there is nothing to say. */
export function profileNote(run: PlatformRun): string {
  const pc = run.health.profileCause
  if (!pc) return ''
  const ran = pc.rerun !== undefined && ranWell(pc.rerun)
  // a line that only points at a setting is said once a run without it proved it
  const shown = firstPerSetting(pc.causes.filter(c => c.sure || ran))
  const causes = shown.map(c => ` ${explained(c, run.settings)}`).join('')
  return `${causes}${pc.rerun ? rerunSentence(run, pc.rerun, shown.length > 0) : ''}`
}

/**
 * A smoke command that failed: the lines of its log that prove a setting broke it (it is not run
 * again without them: the health row's run says whether the image runs without them).
 */
export function smokeProfileNote(run: PlatformRun, smoke: SmokeResult): string {
  const settings = run.settings
  if (!settings || (settings.profile === 'docker' && !settings.readOnly)) return ''
  const user = run.user.resolvedUid
  const imageRoot = user !== undefined ? user === 0 : /^(?:|root|0)(?::.*)?$/.test(run.image.user ?? '')
  const lines = [...(smoke.startError ? [smoke.startError] : []), ...(smoke.logTail ?? [])]
  const sure = profileCauses(lines, { profile: settings.profile, readOnly: settings.readOnly, imageRoot }).filter(c => c.sure)
  return firstPerSetting(sure)
    .map(c => ` ${explained(c, settings)}`)
    .join('')
}

/** The settings the container ran under besides Docker's defaults: "run-profile: restricted and read-only: true". */
export function settingsOn(settings: PlatformRun['settings']): string {
  const on = [...(settings && settings.profile !== 'docker' ? [`run-profile: ${settings.profile}`] : []), ...(settings?.readOnly ? ['read-only: true'] : [])]
  return on.join(' and ')
}

function ranWell(rerun: Rerun): boolean {
  return rerun.verdict === 'healthy' || rerun.verdict === 'missing'
}

function firstPerSetting(causes: Cause[]): Cause[] {
  return causes.filter((c, i) => causes.findIndex(o => o.setting === c.setting) === i)
}

function rerunSentence(run: PlatformRun, rerun: Rerun, explained: boolean): string {
  const settings = settingsOn(run.settings)
  const without = ` Run again without ${settings}`
  if (rerun.verdict === 'healthy') return `${without}, it was healthy${rerun.seconds !== undefined ? ` after ${rerun.seconds} s` : ''}: ${settings} broke it${explained ? '' : ", though its log does not say where"}.`
  if (rerun.verdict === 'missing') return `${without}, it kept running: ${settings} broke it${explained ? '' : ", though its log does not say where"}.`
  const how = rerun.verdict === 'exited' ? `exited (code ${rerun.exitCode})` : rerun.verdict === 'timeout' ? 'no health verdict' : rerun.verdict
  const plural = settings.includes(' and ')
  // the log proved a setting broke something, yet without them it fails still: there is more
  if (explained) return `${without}, it failed too (${how}): ${settings} ${plural ? 'are' : 'is'} not all that stops it.`
  return `${without}, it failed too (${how}): ${settings} ${plural ? 'are' : 'is'} not the cause.`
}

/** The log line as a code span, one line, without backticks of its own. */
function quoted(line: string): string {
  const s = line.replace(/`/g, "'")
  return `\`${s.length > 200 ? `${s.slice(0, 199)}…` : s}\``
}

/** The cause, its fix, and the line it was read from; capability names as code (CAP_CHOWN). */
function explained(c: Cause, settings: PlatformRun['settings']): string {
  return `${causeSentence(c, settings).replace(/\b(?:CAP_[A-Z_]+|NET_BIND_SERVICE)\b/g, '`$&`')} It logged: ${quoted(c.line)}.`
}

function causeSentence(c: Cause, settings: PlatformRun['settings']): string {
  const under = `run-profile: ${c.setting}`
  const what = c.operation && c.path ? `${c.operation} ${c.path}` : (c.path ?? c.operation)
  const subject = what ? `\`${what}\`: ` : ''
  if (c.errno === 'read-only') {
    const where = c.path ? `\`${c.path}\`: the` : 'The app wrote to the root filesystem:'
    return `${where} root filesystem is read-only (read-only: true) — write under /tmp or declare a volume for it (an emptyDir on Kubernetes).`
  }
  if (c.errno === 'no-new-privileges') {
    return `${subject}no new privileges (allowPrivilegeEscalation: false, under ${under}) keeps a setuid program from becoming root. Do at build time what needs root, and start as the non-root USER.`
  }
  if (c.errno === 'permission-denied') {
    if (c.capability === 'CAP_NET_BIND_SERVICE') {
      const port = c.port !== undefined ? `port ${c.port}` : 'a port below 1024'
      return `Binding ${port}: permission denied — a port below 1024 needs CAP_NET_BIND_SERVICE, dropped under ${under}. Listen on a port above 1023 (e.g. 8080), or add NET_BIND_SERVICE back (the one capability restricted allows).`
    }
    if (c.setting === 'openshift') {
      const dir = c.path ?? '<the directory>'
      return `${subject}permission denied — under ${under} the app runs as an arbitrary UID (${settings?.uid}) in group 0, which cannot write what the image's user owns. At build time: \`chgrp -R 0 ${dir} && chmod -R g=u ${dir}\`.`
    }
    return `${subject}permission denied — root without CAP_DAC_OVERRIDE (dropped under ${under}) cannot write what another user owns. At build time make it the app's user's (\`COPY --chown\`, \`RUN chown\`) and start as that non-root USER.`
  }
  // operation not permitted
  const who = c.setting === 'openshift' ? `under ${under} it runs as UID ${settings?.uid}, not root, without capabilities` : `capabilities are dropped under ${under}`
  const needs = c.capability ? ` (${isSwitch(c) ? 'switching user needs' : 'it needs'} ${c.capability})` : ''
  const head = `${subject}operation not permitted — ${who}${needs}.`
  if (isSwitch(c)) {
    return `${head} Set USER in the Dockerfile to the user the entrypoint switches to, and do at build time what it did as root (\`COPY --chown\`, \`RUN chown\`): no root entrypoint that drops privileges.`
  }
  if (c.capability === 'CAP_CHOWN' || c.capability === 'CAP_FOWNER' || !c.capability) {
    return `${head} Do the ${c.capability === 'CAP_FOWNER' ? 'chmod' : 'chown'} at build time (\`COPY --chown\`, \`RUN chown\`) and start as the non-root USER, with no root entrypoint that drops privileges.`
  }
  return `${head} Do it at build time, or not at all: restricted allows no capability but NET_BIND_SERVICE.`
}

function isSwitch(c: Cause): boolean {
  return c.capability === 'CAP_SETUID and CAP_SETGID' || c.capability === 'CAP_SETGID' || c.capability === 'CAP_SETUID'
}
