import { text } from './parse.js'
import type { Row } from './row.js'

// The Deployment file section of the input table (table.ts): a file that already says how the
// image runs in production, read for the run's settings (src/deploy/apply.ts), so the gate runs
// it that way and does not drift from it. An input given explicitly wins over the file.

export const DEPLOY_INPUTS = {
  'compose-file': {
    section: 'Deployment file',
    default: '',
    parse: text,
    description:
      "A compose file whose compose-service the image runs as: the services it depends on (depends_on) are started first with docker compose and waited for as the file says (service_healthy, service_started, service_completed_successfully: a one-shot migration's exit 0), then the built image runs in the service's place, on its networks with its aliases, with its environment (env_file too), command, healthcheck, stop_grace_period, read_only and mem_limit. Everything started is removed afterwards.",
    readme:
      "A compose file whose `compose-service` the image runs as: the services it `depends_on` are started first with `docker compose` and waited for as the file says (`service_healthy`, `service_started`, `service_completed_successfully`: a one-shot migration's exit 0), then the built image runs in the service's place, on its networks with its aliases, with its `environment` (`env_file` too), `command`, `healthcheck`, `stop_grace_period`, `read_only` and `mem_limit`. Everything started is removed afterwards. See [A backend and its compose file](docs/recipes/deployment-files.md#a-backend-and-its-compose-file)."
  },
  'compose-service': {
    default: '',
    parse: text,
    description: 'The service of compose-file that the image runs as (needed with compose-file).',
    readme: 'The service of `compose-file` that the image runs as (needed with `compose-file`).'
  },
  'kubernetes-manifest': {
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
