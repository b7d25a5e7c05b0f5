import { text } from './parse.js'
import type { Row } from './row.js'

// The Deployment file section of the input table (table.ts): a file that already says how the
// image runs in production, read for the run's settings (src/deploy/apply.ts), so the gate runs
// it that way and does not drift from it. An input given explicitly wins over the file.

export const DEPLOY_INPUTS = {
  'kubernetes-manifest': {
    section: 'Deployment file',
    default: '',
    parse: text,
    description:
      "A Kubernetes manifest that runs the image (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; one file may hold several YAML documents). Its container's securityContext, resources.limits.memory, readinessProbe/startupProbe, terminationGracePeriodSeconds, command/args and env become the run's settings; the summary names the line each came from. An input given here wins over the file.",
    readme:
      "A Kubernetes manifest that runs the image (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; several YAML documents in one file are fine). Its container's `securityContext`, `resources.limits.memory`, `readinessProbe`/`startupProbe`, `terminationGracePeriodSeconds`, `command`/`args` and `env` become the run's settings, each named in the summary with its line; an input you give wins over the file. See [Gate it as it is deployed](docs/recipes/deployment-files.md)."
  },
  'kubernetes-container': {
    default: '',
    parse: text,
    description: "The container of kubernetes-manifest's pod that runs the image, when the pod has more than one. Default the only one.",
    readme: "The container of `kubernetes-manifest`'s pod that runs the image, when the pod has more than one. Default the only one."
  },
  'fly-config': {
    default: '',
    parse: text,
    description:
      "A Fly.io fly.toml that runs the image: its [[http_service.checks]] or [checks] as the probe, [processes] as the command (the process http_service serves, else app, else the first) with one smoke run per other process, kill_signal/kill_timeout as the stop, [env], and [[vm]] memory. An input given here wins over the file.",
    readme:
      'A Fly.io `fly.toml` that runs the image: its `[[http_service.checks]]` or `[checks]` as the probe, `[processes]` as the command (the process `http_service` serves, else `app`, else the first) with one smoke run per other process, `kill_signal`/`kill_timeout` as the stop, `[env]`, and `[[vm]]` memory. An input you give wins over the file. See [Gate it as it is deployed](docs/recipes/deployment-files.md).'
  }
} as const satisfies Record<string, Row>
