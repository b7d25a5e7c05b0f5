import * as github from '@actions/github'
import * as path from 'node:path'
import type { Inputs } from '../inputs/inputs.js'
import { COMMENT_MAX_CHARS, renderMarkdown } from '../render/markdown.js'
import type { Report } from '../report/report.js'
import type { Sink } from '../sink.js'
import { client, RETRIES, retryDelayMs, sleep, type HttpError, type Octokit, type Sleep } from './github.js'

// The sticky pull-request comment: one per key (workflow, job, image), updated in place on every
// run. Anything that goes wrong here is a warning: the comment never changes the step's outcome.

const PR_EVENTS = ['pull_request', 'pull_request_target']
const MARKER_PREFIX = '<!-- image-gate:comment key='

export interface CommentTarget {
  owner: string
  repo: string
  number: number
}

/** The pull request this run belongs to, or undefined when the event is not a pull request. */
export function pullRequest(context = github.context): CommentTarget | undefined {
  if (!PR_EVENTS.includes(context.eventName)) return undefined
  const number = context.payload.pull_request?.number
  if (!number) return undefined
  return { owner: context.repo.owner, repo: context.repo.repo, number }
}

/**
 * Parallel legs (a matrix over Dockerfiles or targets) must keep separate comments, so the default
 * key names the workflow, the job and the image: context, Dockerfile and target.
 */
export function commentKey(inputs: Pick<Inputs, 'commentKey' | 'context' | 'file' | 'target'>, env: NodeJS.ProcessEnv = process.env): string {
  if (inputs.commentKey) return inputs.commentKey
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const rel = (p: string) => path.relative(workspace, p) || '.'
  return [env.GITHUB_WORKFLOW ?? '', env.GITHUB_JOB ?? '', rel(inputs.context), rel(inputs.file), inputs.target].join('/')
}

/** The hidden last line of our comment. The key is URI-encoded so it cannot end the HTML comment. */
export function marker(key: string): string {
  return `${MARKER_PREFIX}${encodeURIComponent(key)} -->`
}

export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined
}

export function commentBody(report: Report, key: string, link = runUrl()): string {
  const footer = link ? `\n[Workflow run](${link})\n` : '\n'
  return `${renderMarkdown(report, COMMENT_MAX_CHARS)}${footer}${marker(key)}`
}

export type CommentInputs = Pick<Inputs, 'comment' | 'commentKey' | 'githubToken' | 'context' | 'file' | 'target'>

/** Gate mode: comment on the pull request this run is for, if any. Returns the comment made. */
export async function commentOnPullRequest(report: Report, inputs: CommentInputs, sink: Sink): Promise<Report['comment']> {
  const target = pullRequest()
  if (!inputs.comment || !target) {
    sink.debug(`no pull-request comment (comment: ${inputs.comment}, event: ${github.context.eventName})`)
    return undefined
  }
  return upsertComment(report, target, report.commentKey ?? commentKey(inputs), inputs.githubToken, sink)
}

/**
 * comment-from mode, typically in a `workflow_run` workflow that has a write token while the
 * pull-request run (from a fork) had none. It runs privileged on a file the fork wrote, so what
 * decides where the comment goes comes from the trusted event, not the file:
 * - the pull request: the event's own (pull_request, pull_request_target; under workflow_run, its
 *   pull_requests list, which GitHub fills for branches of this repository). For a fork that list
 *   is empty, so the report's number is taken, and only if that pull request's head is the commit
 *   the triggering run tested (its head_sha): a crafted report cannot steer the comment elsewhere.
 *   Any other event names no pull request, and the file alone is not believed.
 * - the comment's key, which decides which comment is overwritten: the comment-key input, else the
 *   name of the workflow that made the report (workflow_run.name; the triggering workflow must have
 *   that name to trigger this one at all), else this workflow's. Never the file's: a report could
 *   otherwise overwrite another leg's comment (a failing one) with its own.
 */
export async function commentFromReport(report: Report, inputs: Pick<Inputs, 'commentKey' | 'githubToken'>, sink: Sink, octokit?: Octokit): Promise<Report['comment']> {
  const context = github.context
  const number = trustedPullRequest(report, context, sink)
  if (!number) return undefined
  const target = { owner: context.repo.owner, repo: context.repo.repo, number }
  const api = octokit ?? client(inputs.githubToken, sink.info)
  const runSha = context.eventName === 'workflow_run' ? (context.payload.workflow_run?.head_sha as string | undefined) : undefined
  if (runSha) {
    try {
      const { data } = await api.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.number })
      if (data.head.sha !== runSha) {
        sink.warning(
          `image-gate did not comment: pull request #${target.number} is at ${data.head.sha.slice(0, 12)}, but the workflow run tested ${runSha.slice(0, 12)}. A newer push will bring its own report.`
        )
        return undefined
      }
    } catch (err) {
      sink.warning(explain(err as HttpError))
      return undefined
    }
  }
  return upsertComment(report, target, commentFromKey(inputs, context), inputs.githubToken, sink, api)
}

interface RunPullRequest {
  number?: number
  base?: { repo?: { id?: number; name?: string } }
}

/** The pull request comment-from posts on: the event's, or (a fork's workflow_run) the report's, verified later. */
function trustedPullRequest(report: Report, context: typeof github.context, sink: Sink): number | undefined {
  if (PR_EVENTS.includes(context.eventName)) return pullRequest(context)?.number
  if (context.eventName !== 'workflow_run') {
    sink.warning(
      `image-gate did not comment: comment-from posts on the pull request the event names (workflow_run of a pull-request run, pull_request, pull_request_target); a ${context.eventName} event names none, and the report file alone is not trusted to.`
    )
    return undefined
  }
  const repository = context.payload.repository as { id?: number } | undefined
  const listed = ((context.payload.workflow_run?.pull_requests ?? []) as RunPullRequest[]).filter(
    pr => typeof pr.number === 'number' && (pr.base?.repo?.id === undefined || repository?.id === undefined || pr.base.repo.id === repository.id)
  )
  if (listed.length > 0) {
    const chosen = listed.find(pr => pr.number === report.pullRequest) ?? listed[0]
    if (report.pullRequest && chosen.number !== report.pullRequest) {
      sink.warning(`image-gate: the report names pull request #${report.pullRequest}, but the workflow run was for #${chosen.number}: commenting on #${chosen.number}.`)
    }
    return chosen.number
  }
  if (!report.pullRequest) sink.warning('image-gate did not comment: the report names no pull request (it was not made on a pull_request event).')
  return report.pullRequest
}

/** The key of comment-from's comment: the input, else the name of the workflow that made the report. */
export function commentFromKey(inputs: Pick<Inputs, 'commentKey'>, context: Pick<typeof github.context, 'payload' | 'workflow'> = github.context): string {
  const triggering = context.payload.workflow_run?.name as unknown
  return inputs.commentKey || (typeof triggering === 'string' && triggering) || context.workflow || 'image-gate'
}

/** Posts or updates the comment for `key`. Problems become one warning, never a failure. */
async function upsertComment(report: Report, target: CommentTarget, key: string, token: string, sink: Sink, octokit?: Octokit, wait: Sleep = sleep): Promise<Report['comment']> {
  if (!token) {
    sink.warning('image-gate did not comment on the pull request: github-token is empty. The job summary has the report.')
    return undefined
  }
  const api = octokit ?? client(token, sink.info)
  const where = { owner: target.owner, repo: target.repo }
  try {
    const body = commentBody(report, key)
    for (let attempt = 0; ; attempt++) {
      const existing = await findOurs(api, target, marker(key))
      if (existing) {
        const { data } = await api.rest.issues.updateComment({ ...where, comment_id: existing, body })
        return said(sink, { url: data.html_url, action: 'updated' })
      }
      try {
        const { data } = await api.rest.issues.createComment({ ...where, issue_number: target.number, body })
        return said(sink, { url: data.html_url, action: 'created' })
      } catch (err) {
        // GitHub may have saved the comment and still answered 5xx: look for it again before
        // creating another, or the pull request gets two.
        const delay = attempt < RETRIES ? retryDelayMs(err as HttpError, attempt) : undefined
        if (delay === undefined) throw err
        sink.info(`GitHub API POST comment: ${(err as HttpError).status}, looking for it again and retrying in ${delay / 1000} s`)
        await wait(delay)
      }
    }
  } catch (err) {
    sink.warning(explain(err as HttpError))
    return undefined
  }
}

function said(sink: Sink, comment: NonNullable<Report['comment']>): Report['comment'] {
  sink.info(`Pull-request comment ${comment.action}: ${comment.url}`)
  return comment
}

/**
 * Our comment: it carries our marker and was written by the token's own account. For a personal
 * token GET /user names that account; an Actions or App token cannot read /user (403), and its
 * comments are written by a bot, so then a bot author is required. A person pasting our marker is
 * never matched.
 */
async function findOurs(api: Octokit, target: CommentTarget, mark: string): Promise<number | undefined> {
  const self = await api.rest.users.getAuthenticated().then(
    r => r.data.login,
    () => undefined
  )
  const comments = await api.paginate(api.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    per_page: 100
  })
  const ours = comments.find(c => c.body?.includes(mark) && (self ? c.user?.login === self : c.user?.type === 'Bot'))
  return ours?.id
}

function explain(err: HttpError): string {
  const why = `${err.status ?? 'error'} ${String(err.message ?? err).split('\n')[0]}`
  if (err.status === 403 || err.status === 401 || err.status === 404) {
    return (
      `image-gate could not comment on the pull request (${why}): the token cannot write to it. ` +
      'Give the job `permissions: pull-requests: write`. Pull requests from forks and Dependabot get a read-only token whatever the workflow asks: ' +
      'post the comment from a separate `workflow_run` workflow instead (see the README, "Forks"). The job summary has the report; the step outcome is unchanged.'
    )
  }
  return `image-gate could not comment on the pull request (${why}). The job summary has the report; the step outcome is unchanged.`
}
