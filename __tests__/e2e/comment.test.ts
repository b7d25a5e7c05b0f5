import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { FakeGitHub, TOKEN } from './github-server.js'
import { activeCommands, fixture, leftovers, removeImages, row, runAction, SERVE, workflowRunEvent } from './action.js'
import { engineAgnostic } from './agnostic.js'

// The sticky pull-request comment, end to end: dist/index.js with a real pull_request event
// payload and a real image, against a GitHub REST server on 127.0.0.1.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/comment'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
let healthy: string
let gh: FakeGitHub

beforeAll(() => {
  healthy = fixture([...NON_ROOT, ...SERVE])
})
beforeEach(async () => {
  gh = await new FakeGitHub().start()
})
afterEach(async () => {
  await gh.stop()
  expect(leftovers()).toBe('')
})
afterAll(() => removeImages(TAG))

const onPullRequest = (inputs: Record<string, string>) =>
  runAction({ context: healthy, tags: `${TAG}:ok`, 'github-token': TOKEN, ...inputs }, { event: 'pull_request', apiUrl: gh.url })
const ours = () => gh.comments.filter(c => c.body.includes('<!-- image-gate:comment key='))

// What GitHub answers does not depend on the engine: these run on the first engine only
// (engineAgnostic); what the image printed, made safe in the comment, runs on every engine.
engineAgnostic('pull-request comment: what GitHub answers', () => {
  it('creates one comment, then updates that same comment on the next run', async () => {
    const first = await onPullRequest({})
    expect(first.code).toBe(0)
    expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments'])
    expect(gh.comments).toHaveLength(1)
    const comment = gh.comments[0]
    expect(first.outputs['comment-url']).toBe(comment.html_url)
    expect(comment.user.login).toBe('github-actions[bot]')
    expect(comment.body).toContain('## ✅ image-gate: passed')
    expect(comment.body).toContain(`image \`${TAG}:ok\``)
    expect(row(comment.body, 'health')).toMatch(/^\| ✅ \| health \| healthy after/)
    expect(comment.body).toContain('[Workflow run](https://github.example/octo-org/shop-api/actions/runs/4242)')
    expect(comment.body.trimEnd().split('\n').pop()).toMatch(/^<!-- image-gate:comment key=image%2Fgate%2F.+ -->$/)

    const second = await onPullRequest({ 'max-size': '1MB' })
    expect(second.code).toBe(1)
    expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments', `PATCH /repos/octo-org/shop-api/issues/comments/${comment.id}`])
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0].body).toContain('## ❌ image-gate: 1 of 6 checks failed')
    expect(second.outputs['comment-url']).toBe(comment.html_url)
  })

  it('leaves alone a lookalike comment by another account', async () => {
    await onPullRequest({})
    const marker = ours()[0].body.trimEnd().split('\n').pop()!
    gh.comments = []
    const fake = gh.addComment(`I am not the bot\n${marker}`, { login: 'mallory', type: 'User' })
    await onPullRequest({})
    expect(gh.comments).toHaveLength(2)
    expect(gh.comments.find(c => c.id === fake.id)!.body).toBe(`I am not the bot\n${marker}`)
    expect(gh.writes().slice(-1)).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments'])
  })

  it('with a personal token, matches on the token\'s own login', async () => {
    gh.self = 'release-bot-user'
    await onPullRequest({})
    await onPullRequest({})
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0].user.login).toBe('release-bot-user')
  })

  it('keeps separate comments for two comment-keys', async () => {
    await onPullRequest({ 'comment-key': 'api' })
    await onPullRequest({ 'comment-key': 'worker' })
    await onPullRequest({ 'comment-key': 'api' })
    expect(ours()).toHaveLength(2)
    expect(gh.writes().filter(w => w.startsWith('POST'))).toHaveLength(2)
  })

  it('finds its comment among 150 others (pagination)', async () => {
    for (let i = 0; i < 60; i++) gh.addComment(`review comment ${i}`)
    await onPullRequest({})
    for (let i = 0; i < 90; i++) gh.addComment(`later comment ${i}`)
    await onPullRequest({})
    expect(gh.comments).toHaveLength(151)
    expect(ours()).toHaveLength(1)
    expect(gh.requests.filter(r => r.path.includes('/comments?') && r.path.includes('page=2'))).not.toHaveLength(0)
  })

  it('on 403 (a fork or Dependabot token) warns once, keeps the summary and the outcome', async () => {
    gh.fail('POST', /\/comments$/, 403, 1, 'Resource not accessible by integration')
    const run = await onPullRequest({})
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', 'comment-url': '' })
    const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('could not comment on the pull request (403 Resource not accessible by integration)')
    expect(warnings[0]).toContain('pull-requests: write')
    expect(warnings[0]).toContain('workflow_run')
    expect(run.summary).toContain('## ✅ image-gate: passed')
    expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments']) // a plain 403 is not retried
  })

  it('retries 500 twice, then succeeds', async () => {
    gh.fail('POST', /\/comments$/, 500, 2)
    const run = await onPullRequest({})
    expect(run.code).toBe(0)
    expect(gh.writes()).toEqual(Array(3).fill('POST /repos/octo-org/shop-api/issues/7/comments'))
    expect(gh.comments).toHaveLength(1)
    expect(run.outputs['comment-url']).toBe(gh.comments[0].html_url)
  })

  it('a create that GitHub saved but answered 502: looks again, finds it, and makes no second comment', async () => {
    gh.failAfterSaving('POST', /\/comments$/, 502, 1)
    const run = await onPullRequest({})
    expect(run.code).toBe(0)
    // one POST only: after the 502 the comment is found by its marker and updated in place
    expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments', `PATCH /repos/octo-org/shop-api/issues/comments/${gh.comments[0].id}`])
    expect(gh.comments).toHaveLength(1)
    expect(run.outputs['comment-url']).toBe(gh.comments[0].html_url)
    expect(run.stdout).toContain('GitHub API POST comment: 502, looking for it again and retrying in 1 s')
  })

  it('honours retry-after on a secondary rate limit', async () => {
    gh.fail('GET', /\/comments$/, 403, 1, 'You have exceeded a secondary rate limit', { 'retry-after': '1' })
    const run = await onPullRequest({})
    expect(run.outputs['comment-url']).toBe(gh.comments[0].html_url)
    expect(run.stdout).toContain(': 403, retrying in 1 s')
  })

  it('never fails the step over an API error', async () => {
    gh.fail('GET', /\/comments$/, 422, 1, 'Validation Failed')
    const run = await onPullRequest({})
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('::warning::image-gate could not comment on the pull request (422 Validation Failed)')
  })

  it('does not comment outside pull requests, or with comment: false', async () => {
    await runAction({ context: healthy, tags: `${TAG}:ok`, 'github-token': TOKEN }, { event: 'push', apiUrl: gh.url })
    await onPullRequest({ comment: 'false' })
    expect(gh.requests).toEqual([])
  })

  describe('from a fork: the pull_request run reports, a workflow_run run comments', () => {
    let report: string
    let reportFile: string
    beforeAll(async () => {
      // the fork's run, once: read-only token, so comment: false; the report output goes into an
      // artifact (a GitHub server of its own, which it must not call)
      const fork = await new FakeGitHub().start()
      try {
        const prRun = await runAction({ context: healthy, tags: `${TAG}:ok`, 'github-token': TOKEN, comment: 'false' }, { event: 'pull_request', apiUrl: fork.url })
        expect(fork.requests).toEqual([])
        report = prRun.outputs.report
      } finally {
        await fork.stop()
      }
    })
    beforeEach(() => {
      // each test's own copy, as a crafted one changes it
      reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'artifact-')), 'report.json')
      writeFileSync(reportFile, report)
    })
    /** The privileged workflow ("image comment"), run by the completed "image" workflow. */
    const postIt = (inputs: Record<string, string> = {}, payload?: Record<string, unknown>) =>
      runAction({ 'comment-from': reportFile, 'github-token': TOKEN, ...inputs }, { event: 'workflow_run', apiUrl: gh.url, payload, env: { GITHUB_WORKFLOW: 'image comment' } })
    /** The saved report, changed as a crafted one would be. */
    const craft = (change: (report: Record<string, unknown>) => void) => {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>
      change(report)
      writeFileSync(reportFile, JSON.stringify(report))
    }

    it('posts the report on the pull request it names, keyed by the workflow that made it', async () => {
      const run = await postIt()
      expect(run.code).toBe(0)
      expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments'])
      expect(gh.comments[0].body).toContain('## ✅ image-gate: passed')
      expect(row(gh.comments[0].body, 'user')).toContain('| ✅ | user | UID 10001')
      expect(gh.comments[0].body).toMatch(/<!-- image-gate:comment key=image -->$/)
      expect(run.outputs['comment-url']).toBe(gh.comments[0].html_url)
      expect(run.summary).toContain('## ✅ image-gate: passed')
    })

    it('refuses when the pull request has moved to another commit', async () => {
      gh.headSha = '0000000000000000000000000000000000000000'
      const run = await postIt()
      expect(run.code).toBe(0)
      expect(gh.comments).toEqual([])
      expect(run.stdout).toContain('::warning::image-gate did not comment: pull request #7 is at 000000000000, but the workflow run tested f00dfeedbeef.')
    })

    it("never takes the comment's key from the file: a crafted report cannot overwrite another comment", async () => {
      await postIt({ 'comment-key': 'api' })
      const api = gh.comments[0]
      // a report that claims the api leg's key, and a pass, is posted under its own key
      craft(report => (report.commentKey = 'api'))
      await postIt()
      expect(gh.comments).toHaveLength(2)
      expect(gh.comments.find(c => c.id === api.id)!.body).toMatch(/key=api -->$/)
      expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/7/comments', 'POST /repos/octo-org/shop-api/issues/7/comments'])
    })

    it('takes the pull request from the event when the event names it, whatever the file says', async () => {
      craft(report => (report.pullRequest = 9))
      const event = workflowRunEvent()
      event.workflow_run.pull_requests = [{ number: 8, head: { sha: event.workflow_run.head_sha }, base: { ref: 'main' } }]
      const run = await postIt({}, event)
      expect(gh.writes()).toEqual(['POST /repos/octo-org/shop-api/issues/8/comments'])
      expect(run.stdout).toContain('::warning::image-gate: the report names pull request #9, but the workflow run was for #8: commenting on #8.')
    })

    it('does not believe the file alone: an event that names no pull request gets no comment', async () => {
      const run = await runAction({ 'comment-from': reportFile, 'github-token': TOKEN }, { event: 'push', apiUrl: gh.url })
      expect(run.code).toBe(0)
      expect(gh.requests).toEqual([])
      expect(run.stdout).toContain('::warning::image-gate did not comment: comment-from posts on the pull request the event names')
    })

    it('explains a file that is not a report in one line', async () => {
      writeFileSync(reportFile, '{"hello": "world"}')
      const run = await postIt()
      expect(run.code).toBe(1)
      expect(activeCommands(run.stdout).filter(l => l.startsWith('::error::'))).toEqual([
        `::error::Input "comment-from": ${reportFile} is not an image-gate report (schema 2 with runs, or 1 with checks).`
      ])
    })

    it('refuses a file over 1 MiB in one line', async () => {
      writeFileSync(reportFile, ' '.repeat(2 * 1024 * 1024))
      const run = await postIt()
      expect(run.code).toBe(1)
      expect(activeCommands(run.stdout).filter(l => l.startsWith('::error::'))).toEqual([
        `::error::Input "comment-from": ${reportFile} is larger than 1 MiB, so it is not an image-gate report (the report output is at most 96 KiB).`
      ])
      expect(gh.requests).toEqual([])
    })
  })
})

describe('pull-request comment: what the image printed', () => {
  it('keeps a 200,000-character log under the comment limit with the table intact', async () => {
    const line = 'x'.repeat(3999)
    const context = fixture([...NON_ROOT, 'HEALTHCHECK CMD true', `CMD ["sh", "-c", "for i in $(seq 1 50); do echo \${i}${line}; done; exit 4"]`])
    const run = await runAction({ context, tags: `${TAG}:loud`, 'github-token': TOKEN }, { event: 'pull_request', apiUrl: gh.url })
    expect(run.outputs.health).toBe('exited')
    const body = gh.comments[0].body
    expect(body.length).toBeLessThan(65_536)
    for (const check of ['build', 'health', 'size', 'user']) expect(row(body, check)).not.toBe('')
    expect(row(body, 'health')).toContain('| ❌ | health | exited (code 4) |')
    expect(body).toMatch(/Container log \(last \d+ of 50 lines, cut to fit; the action log has them all\)/)
    expect(body).toContain('50xxx') // the newest line survives
    // the job summary has room for every line (each cut to 2,000 characters)
    expect(run.summary).toContain('Container log (last 50 lines, long lines shortened; the action log has them whole)')
    // and the action log has them whole
    expect(run.stdout).toContain(`\n50${line}\n`)
  })

  it('renders hostile log and label text inert', async () => {
    const context = fixture([
      `RUN echo '| @octocat </details> [x](javascript:alert(1))' > /note.txt`,
      ...NON_ROOT,
      'LABEL org.opencontainers.image.title="</details><img src=x onerror=alert(1)> @org/security-team | broken"',
      'HEALTHCHECK CMD true',
      `CMD ["sh", "-c", "echo '</details>'; echo '\`\`\`'; echo '@octocat please merge <script>x</script>'; echo '::error::pwned'; exit 2"]`
    ])
    const run = await runAction({ context, tags: `${TAG}:hostile`, 'github-token': TOKEN }, { event: 'pull_request', apiUrl: gh.url })
    const body = gh.comments[0].body
    const outsideFences = body.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '')
    expect(outsideFences).not.toMatch(/<img|<script|@octocat|@org\/security-team/)
    expect(outsideFences.match(/<details>/g)).toHaveLength(outsideFences.match(/<\/details>/g)!.length)
    expect(body).toContain('````text\n</details>\n```\n@octocat please merge <script>x</script>\n::error::pwned\n````')
    // every table keeps its own column count: no cell broke out (the layer table shows the hostile RUN)
    expect(tables(body).length).toBeGreaterThanOrEqual(2)
    for (const table of tables(body)) for (const line of table) expect(line.match(/\|/g)).toHaveLength(table[0].match(/\|/g)!.length)
    expect(body).toContain('RUN echo &#39;&#124; @\u200boctocat &lt;/details&gt; &#91;x&#93;(javascript:alert(1))&#39; &gt; /note.txt')
    // and the container's "::error::" never became a workflow command in the action log
    expect(run.stdout).toContain('\n::error::pwned\n') // echoed, but inside stop-commands:
    expect(activeCommands(run.stdout).filter(l => l.startsWith('::error::'))).toEqual(['::error::image-gate: 1 of 6 checks failed: health (exited (code 2))'])
  })

  it('masks a build secret that a failed RUN under set -x echoed: not in the comment, the outputs or the summary', async () => {
    const secret = 'npm_e2e-build-secret-5150'
    const context = fixture(['RUN --mount=type=secret,id=npm,required=true set -x; TOKEN=$(cat /run/secrets/npm); echo "fetching with $TOKEN"; exit 3'])
    const run = await runAction({ context, tags: `${TAG}:secret`, secrets: `npm=${secret}`, 'github-token': TOKEN }, { event: 'pull_request', apiUrl: gh.url })
    expect(run.outputs.passed).toBe('false')
    expect(row(run.summary, 'build')).toContain('| ❌ | build | failed |')
    // the build did echo it: the runner masks the action log (the value was given to ::add-mask::),
    // and image-gate's own log shows it masked already, as the command line's does
    expect(run.stdout).toContain(`::add-mask::${secret}`)
    // BuildKit reads the step's stdout and stderr from two pipes and prints each write as it comes,
    // so the trace's "+ " and its "TOKEN=…" can be split by the echo's line ("+ fetching with ***",
    // then "TOKEN=***"): the assignment is looked for on any of the step's lines
    expect(run.stdout).toMatch(/^#\d+ \d+\.\d+ .*TOKEN=\*\*\*/m)
    expect(run.stdout.split('\n').filter(line => !line.startsWith('::add-mask::')).join('\n')).not.toContain(secret)
    const body = gh.comments[0].body
    for (const text of [body, run.summary, ...Object.values(run.outputs)]) expect(text).not.toContain(secret)
    expect(body).toContain('TOKEN=***')
    expect(body).toContain('fetching with ***')
    expect(run.report.runs[0].build.logTail).toEqual(expect.arrayContaining([expect.stringMatching(/TOKEN=\*\*\*/)]))
  })
})

/** The Markdown tables of a body: runs of consecutive lines that start with "|". */
function tables(body: string): string[][] {
  const found: string[][] = []
  let current: string[] = []
  for (const line of [...body.split('\n'), '']) {
    if (line.startsWith('|')) current.push(line)
    else if (current.length) {
      found.push(current)
      current = []
    }
  }
  return found
}
