import { bool, emptyOr, reportFile, seconds, text, token } from './parse.js'
import type { Row } from './row.js'

// The Reporting section of the input table (table.ts): the run's time limits, the step's outcome,
// the job summary and the pull-request comment.

export const REPORT_INPUTS = {
  timeout: {
    section: 'Reporting',
    default: '1800',
    parse: seconds,
    description:
      'Limit for the whole run, in seconds. When it runs out, whatever hangs (a build, a container) is stopped and removed, and the summary says how far the run got.'
  },
  'call-timeout': {
    default: '30',
    parse: seconds,
    description:
      'Seconds one short Docker call (inspect, run, logs, cp, rm, ...) may take before the engine is taken to be hung and the run stops with that error. Builds, pulls and `docker save` depend on the work, so timeout bounds them instead.',
    readme:
      'Seconds one short Docker call (inspect, run, logs, cp, rm, ...) may take before the engine is taken to be hung and the run stops with that error. Builds, pulls and `docker save` depend on the work, so `timeout` bounds them instead.'
  },
  fail: {
    default: 'true',
    parse: bool,
    description: 'Fail the step when a check fails (true/false). With false, the outputs still say passed=false.',
    readme: 'Fail the step when a check fails. With `false` the step succeeds and `passed` says `false`.'
  },
  summary: {
    default: 'true',
    runnerOnly: true,
    parse: bool,
    description: 'Write the report as the job summary (true/false).',
    readme: 'Write the job summary.'
  },
  comment: {
    default: 'true',
    runnerOnly: true,
    parse: bool,
    description:
      'On pull_request and pull_request_target events, keep one comment on the pull request with the report, updated on every run (true/false). Needs `pull-requests write`.',
    readme: 'On `pull_request` / `pull_request_target` events, keep one comment on the pull request with the report.'
  },
  'comment-key': {
    default: '',
    shown: 'workflow/job/context/Dockerfile/target',
    runnerOnly: true,
    parse: text,
    description:
      'Which comment this run updates. Default workflow/job/context/Dockerfile/target, so matrix legs over Dockerfiles or targets keep separate comments; set it when legs differ otherwise (e.g. image-gate- followed by matrix.node, in an expression).',
    readme:
      'Which comment a run updates. Legs of a matrix over Dockerfiles or targets get separate comments by default; set it when legs differ otherwise (e.g. `comment-key: node-${{ matrix.node }}`). With `comment-from`, the default is the name of the workflow that made the report, never a key in the file.'
  },
  // an expression: the runner fills it in; anywhere else the token is empty (readInputs)
  'github-token': {
    default: '${{ github.token }}',
    runnerOnly: true,
    parse: token,
    description: 'Token for the pull-request comment.',
    readme: 'Token for the comment.'
  },
  'comment-from': {
    default: '',
    runnerOnly: true,
    parse: emptyOr(reportFile),
    description:
      "Comment-only mode, for a workflow_run job that posts the report of a pull-request run from a fork. Path to that run's report (its `report` output saved to a file). Builds nothing; under workflow_run the pull request's head must be the commit that run tested.",
    readme:
      'Comment-only mode: path to a saved `report` output. Builds nothing; see [Forks](docs/recipes/forks.md#forks-and-dependabot).'
  }
} as const satisfies Record<string, Row>
