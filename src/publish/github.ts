import * as github from '@actions/github'

// The GitHub API client for the PR comment, with one retry policy:
//   429, 5xx and rate-limit 403s are retried (3 retries), waiting what `retry-after` or
//   `x-ratelimit-reset` asks when that is at most a minute, else 1 s, 2 s, 4 s;
//   any other 403 (a read-only token) and every other 4xx fail at once.
//   A POST is never retried here: GitHub may have saved the comment before it answered 5xx, so the
//   caller looks for it again before creating another (comment.ts).
// (Octokit's retry plugin ignores retry-after, and its throttling plugin paces every write and can
// wait up to an hour for a reset; neither fits a step that must not hold up the job.)

export type Octokit = ReturnType<typeof github.getOctokit>

export const RETRIES = 3
const MAX_WAIT_S = 60

export interface HttpError {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | number | undefined> }
}

export type Sleep = (ms: number) => Promise<void>
export const sleep: Sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** `log`: where a retry is said (the run's sink). */
export function client(token: string, log: (message: string) => void, wait: Sleep = sleep): Octokit {
  // GITHUB_API_URL (GitHub Enterprise, or a test server) is read by @actions/github itself.
  const octokit = github.getOctokit(token)
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options)
      } catch (err) {
        const delay = attempt < RETRIES && options.method !== 'POST' ? retryDelayMs(err as HttpError, attempt) : undefined
        if (delay === undefined) throw err
        log(`GitHub API ${options.method} ${options.url}: ${(err as HttpError).status}, retrying in ${delay / 1000} s`)
        await wait(delay)
      }
    }
  })
  return octokit
}

/** How long to wait before retrying this error, or undefined when it must not be retried. */
export function retryDelayMs(err: HttpError, attempt: number, now = Date.now()): number | undefined {
  const status = err.status ?? 0
  const headers = err.response?.headers ?? {}
  const rateLimited =
    status === 429 ||
    (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /secondary rate limit/i.test(err.message ?? '')))
  if (!rateLimited && status < 500) return undefined
  const retryAfter = Number(headers['retry-after'])
  if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined) {
    return retryAfter <= MAX_WAIT_S ? retryAfter * 1000 : undefined
  }
  const reset = Number(headers['x-ratelimit-reset'])
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) {
    const seconds = Math.max(1, reset - Math.floor(now / 1000))
    return seconds <= MAX_WAIT_S ? seconds * 1000 : undefined
  }
  return 1000 * 2 ** attempt
}
