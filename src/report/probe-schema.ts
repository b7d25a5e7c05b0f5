import * as v from 'valibot'
import { short, wholeNumber } from './fields.js'

// The health report's suggested probe and what the probed port spoke (schema.ts holds the rest):
// health/probe-advice.ts writes them, advice/health.ts words them.

/**
 * The programs a probe can be built from, in order of fit when the image's own language is not
 * known: the runtimes first (what working Python, Node, PHP and Ruby images probe with), then the
 * download tools, then bash's /dev/tcp, then the app's own binary (a health mode it would need to
 * have: the only way in a scratch image). The image's own language goes first (toolOrder).
 */
export const PROBE_TOOLS = ['python3', 'python', 'node', 'php', 'ruby', 'wget', 'curl', 'bash', 'app'] as const

/** The programs that can ask what a port speaks (health/protocol.ts), in the order health/probe.ts ranks them. */
export const ASKERS = ['python3', 'python', 'node', 'php', 'ruby', 'bash'] as const

/**
 * missing, a probe whose program is not in the image, or an HTTP probe on a port that speaks no
 * HTTP: a probe built from a program the image has (health/probe.ts; `app`: its own binary), fitted
 * to what its port speaks; shell: it has /bin/sh (health-cmd needs one)
 */
export const SuggestedCmdSchema = v.object({
  tool: v.picklist(PROBE_TOOLS),
  argv: v.pipe(
    v.array(short()),
    v.transform(a => a.slice(0, 10))
  ),
  shell: v.boolean(),
  /** what it speaks, fitted to what the port answered (absent: http) */
  kind: v.optional(v.picklist(['http', 'fastcgi', 'tcp'])),
  /** http: the path it asks ("/health", or "/" where only that answered 2xx or 3xx) */
  path: v.optional(short())
})

/**
 * with advice: what the port to probe spoke when asked from inside the container
 * (health/protocol.ts), the program that asked, and the statuses GET /health and GET / answered there
 */
export const PortAnswerSchema = v.object({
  port: wholeNumber(),
  protocol: v.picklist(['http', 'fastcgi', 'other', 'silent', 'closed']),
  /** absent: the sockets showed nothing listening there, so it was not asked */
  by: v.optional(v.picklist(ASKERS)),
  healthStatus: v.optional(wholeNumber()),
  rootStatus: v.optional(wholeNumber())
})
