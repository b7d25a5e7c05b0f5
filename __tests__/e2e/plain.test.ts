import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { fixture, removeImages, runAction, takeLeftovers } from './action.js'
import { FakeGitHub, TOKEN } from './github-server.js'

// Coloured output, as tsc, npm and NestJS write it, in every place image-gate shows what the image
// wrote: the build log, the container log and a probe's output. None of their escape sequences or
// other control characters may reach the job summary, the comment, the action log, the outputs or
// the saved report; the words stay.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/plain'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

// ESC and the other controls but tab and newline, DEL, C1
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

describe('output from the image, made plain', () => {
  it('a coloured build, container log and probe: the words everywhere, no ESC or control character anywhere', async () => {
    const red = (text: string) => `\\033[1;31m${text}\\033[0m`
    const context = fixture([
      `RUN printf '${red('error TS2739: Type lacks properties')}\\n\\033]0;title\\007\\rbuild done\\n'`,
      `HEALTHCHECK --interval=30s CMD printf '${red('probe: database down')}\\n'; exit 1`,
      // shell form: sh runs it, and sh's printf writes the escapes
      `CMD printf '${red('[Nest] ERROR listening failed')}\\r\\n\\007'; sleep 600`
    ])
    const gh = await new FakeGitHub().start()
    try {
      const run = await runAction({ context, tags: `${TAG}:coloured`, 'health-timeout': '2', 'github-token': TOKEN, 'no-cache': 'true' }, { event: 'pull_request', apiUrl: gh.url })
      expect(run.outputs.health).toBe('unhealthy')
      const comment = gh.comments[0]?.body ?? ''
      // every string of the saved report, as a program reading it would get them
      const strings: string[] = []
      JSON.stringify(run.report, (_key, value) => (typeof value === 'string' && strings.push(value), value))
      const saved = strings.join('\n')
      // the words are there...
      expect(run.stdout).toContain('error TS2739: Type lacks properties') // the build log, streamed
      expect(run.stdout).toContain('[Nest] ERROR listening failed') // the container log group
      expect(saved).toContain('probe: database down')
      expect(run.summary).toContain('[Nest] ERROR listening failed')
      expect(comment).toContain('probe: database down')
      // ...and nothing else of what the tools wrote: not in any place a user or a program reads
      for (const [where, text] of Object.entries({ stdout: run.stdout, summary: run.summary, comment, saved, outputs: Object.values(run.outputs).join('\n') })) {
        expect([where, CONTROL.exec(text)?.[0]]).toEqual([where, undefined])
        // no half of a sequence either (the Dockerfile's own text, shown in the build log, says \033[1;31m)
        expect([where, /(?<!\\033)\[1;31m/.test(text)]).toEqual([where, false])
      }
    } finally {
      await gh.stop()
    }
  })
})
