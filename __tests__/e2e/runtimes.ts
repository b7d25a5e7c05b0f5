import { type INITS, type Standin } from './action.js'
import type { PlatformRun } from '../../src/report/report.js'
import * as app from './runtimes-apps.js'

// The runtime matrix: what people really run as PID 1, each on the stand-in of the image it starts
// FROM, with what Docker does to it (runtimes.test.ts checks image-gate against Docker on each).
// Adding a runtime is adding one entry here.

type Status = PlatformRun['checks'][number]['status']

export interface Runtime {
  /** the row's name, as a failure names it */
  name: string
  /** the stand-ins its Dockerfile starts FROM (scripts/<name>-standin.sh) */
  standins: Standin[]
  dockerfile: string[]
  /** the rest of the build context, name → content */
  files?: Record<string, string>
  /** host init programs copied into the context under their names (COPY tini /tini) */
  inits?: (keyof typeof INITS)[]
  /** Debian's pure-Python packages, put in vendor/ as pip install --target lays them out */
  vendor?: string[]
  /** what Docker does, and so what image-gate must say */
  expect: {
    health: 'healthy' | 'unhealthy' | 'exited'
    /** after `docker stop -t STOP_TIMEOUT` (its stop signal, then SIGKILL): killed, or exited with a code */
    stop?: 'killed' | `exited ${number}`
    /** the UID of PID 1, and the UIDs of all the container's processes */
    uid?: number
    uids?: number[]
    /** the status of image-gate's own rows (its verdict on what Docker does) */
    checks: { health: Status; user: Status; stop: Status }
  }
  /**
   * the engine scripts/test.sh runs it on (IMAGE_GATE_ENGINE_INDEX), every engine when absent: each
   * row once, rows of one stand-in together (each engine imports only its own), about half the
   * matrix's time on each; engine 1 (Docker 20.10, classic store) has node, python, nginx and go,
   * engine 2 (Docker 28.5, containerd store) ruby, java and php; on both: the tini row (issue 29's
   * first), and the unhealthy one (Docker's probe schedule differs between the engines)
   */
  engine?: 1 | 2
}

/** The gate's stop-timeout, and docker stop's -t. */
export const STOP_TIMEOUT = 3

const USER_APP = ['RUN useradd --uid 10001 --no-create-home app', 'USER app']
/** server.js on node:18-alpine as its user node, probed with busybox wget */
const NODE_APP = ['FROM node:18-alpine', 'WORKDIR /app', 'COPY server.js .', 'USER node', app.WGET_PROBE(8080)]
/** config.ru on ruby:3.1 as a user of its own, probed with ruby's own HTTP client */
const RACK_APP = ['FROM ruby:3.1', 'WORKDIR /app', 'COPY config.ru .', ...USER_APP, app.RUBY_PROBE(9292)]

export const RUNTIMES: Runtime[] = [
  {
    name: 'node without a SIGTERM handler',
    engine: 1,
    standins: ['node'],
    dockerfile: [...NODE_APP, 'CMD ["node", "server.js"]'],
    files: { 'server.js': app.NODE_SERVER },
    expect: { health: 'healthy', stop: 'killed', uid: 1000, uids: [1000], checks: { health: 'pass', user: 'pass', stop: 'fail' } }
  },
  {
    name: 'node with a SIGTERM handler',
    engine: 1,
    standins: ['node'],
    dockerfile: [...NODE_APP, 'CMD ["node", "server.js"]'],
    files: { 'server.js': app.NODE_SERVER_HANDLER },
    expect: { health: 'healthy', stop: 'exited 0', uid: 1000, uids: [1000], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    name: 'python http.server',
    engine: 1,
    standins: ['python'],
    dockerfile: ['FROM python:3.11-slim', 'WORKDIR /srv', ...USER_APP, app.PYTHON_PROBE(8000), 'CMD ["python", "-m", "http.server", "8000"]'],
    expect: { health: 'healthy', stop: 'killed', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'fail' } }
  },
  {
    name: 'gunicorn',
    engine: 1,
    standins: ['python'],
    vendor: ['python3-gunicorn', 'python3-pkg-resources'],
    dockerfile: [
      'FROM python:3.11-slim',
      'WORKDIR /app',
      // what `pip install --target /opt/vendor gunicorn` leaves
      'COPY vendor /opt/vendor',
      'ENV PYTHONPATH=/opt/vendor PATH=/opt/vendor/bin:$PATH',
      'COPY app.py .',
      ...USER_APP,
      app.PYTHON_PROBE(8000),
      'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "app:app"]'
    ],
    files: { 'app.py': app.WSGI_APP },
    expect: { health: 'healthy', stop: 'exited 0', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    name: 'puma',
    engine: 2,
    standins: ['ruby'],
    dockerfile: [...RACK_APP, 'CMD ["puma", "--bind", "tcp://0.0.0.0:9292", "config.ru"]'],
    files: { 'config.ru': app.RACK_APP },
    // puma stops gracefully, then raises SIGTERM's SignalException (raise_exception_on_sigterm):
    // as PID 1 ruby cannot die of the signal and exits 1
    expect: { health: 'healthy', stop: 'exited 1', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'fail' } }
  },
  {
    // dash stays PID 1 (it does not exec the command) and passes no signal on
    name: 'puma in a shell-form CMD (dash)',
    engine: 2,
    standins: ['ruby'],
    dockerfile: [...RACK_APP, 'CMD puma --bind tcp://0.0.0.0:9292 config.ru'],
    files: { 'config.ru': app.RACK_APP },
    expect: { health: 'healthy', stop: 'killed', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'fail' } }
  },
  {
    name: 'java jdk.httpserver with a shutdown hook',
    engine: 2,
    standins: ['temurin-jdk', 'temurin-jre'],
    dockerfile: [
      'FROM eclipse-temurin:17-jdk AS build',
      'WORKDIR /src',
      'COPY App.java .',
      'RUN javac -d /out App.java',
      'FROM eclipse-temurin:17-jre',
      'COPY --from=build /out /app',
      ...USER_APP,
      app.CURL_PROBE(8080),
      'CMD ["java", "-cp", "/app", "App"]'
    ],
    files: { 'App.java': app.JAVA_APP },
    expect: { health: 'healthy', stop: 'exited 143', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    name: 'php-fpm',
    engine: 2,
    standins: ['php-fpm'],
    dockerfile: ['FROM php:8.2-fpm', 'COPY index.php /var/www/html/', app.FPM_PROBE],
    files: { 'index.php': app.PHP_INDEX },
    expect: { health: 'healthy', stop: 'exited 0', uid: 0, uids: [0, 33], checks: { health: 'pass', user: 'fail', stop: 'pass' } }
  },
  {
    // FastCGI is no HTTP: the probe never passes
    name: 'php-fpm probed with HTTP on its FastCGI port',
    standins: ['php-fpm'],
    dockerfile: ['FROM php:8.2-fpm', 'COPY index.php /var/www/html/', 'HEALTHCHECK --interval=1s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:9000/health || exit 1'],
    files: { 'index.php': app.PHP_INDEX },
    expect: { health: 'unhealthy', checks: { health: 'fail', user: 'fail', stop: 'pass' } }
  },
  {
    name: 'apache2 with mod_php (apache2-foreground)',
    engine: 2,
    standins: ['php-apache'],
    dockerfile: ['FROM php:8.2-apache', 'COPY index.php /var/www/html/', app.CURL_PROBE(80)],
    files: { 'index.php': app.PHP_INDEX },
    expect: { health: 'healthy', stop: 'exited 0', uid: 0, uids: [0, 33], checks: { health: 'pass', user: 'fail', stop: 'pass' } }
  },
  {
    // apache2ctl is a shell script: as PID 1 it passes no SIGWINCH on to apache2
    name: 'apache2ctl -D FOREGROUND',
    engine: 2,
    standins: ['php-apache'],
    dockerfile: ['FROM php:8.2-apache', 'COPY index.php /var/www/html/', app.CURL_PROBE(80), 'CMD ["/usr/sbin/apache2ctl", "-D", "FOREGROUND"]'],
    files: { 'index.php': app.PHP_INDEX },
    expect: { health: 'healthy', stop: 'killed', uid: 0, uids: [0, 33], checks: { health: 'pass', user: 'fail', stop: 'fail' } }
  },
  {
    name: 'nginx',
    engine: 1,
    standins: ['nginx'],
    dockerfile: ['FROM nginx:1.22', 'COPY index.html /usr/share/nginx/html/', app.CURL_PROBE(80)],
    files: { 'index.html': 'ok\n' },
    expect: { health: 'healthy', stop: 'exited 0', uid: 0, uids: [0, 101], checks: { health: 'pass', user: 'fail', stop: 'pass' } }
  },
  {
    // Debian's nginx keeps its temp paths under /var/lib/nginx, root's: as 101 it cannot start
    name: 'nginx as USER nginx',
    engine: 1,
    standins: ['nginx'],
    dockerfile: ['FROM nginx:1.22', 'USER nginx', app.CURL_PROBE(80)],
    expect: { health: 'exited', checks: { health: 'fail', user: 'pass', stop: 'skip' } }
  },
  {
    name: 'tini as ENTRYPOINT, python with a SIGTERM handler',
    standins: ['python'],
    inits: ['tini'],
    dockerfile: ['FROM python:3.11-slim', 'COPY tini /tini', 'WORKDIR /app', 'COPY app.py .', ...USER_APP, app.PYTHON_PROBE(8000), 'ENTRYPOINT ["/tini", "--"]', 'CMD ["python", "app.py"]'],
    files: { 'app.py': app.PYTHON_SERVER_HANDLER },
    expect: { health: 'healthy', stop: 'exited 0', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    name: 'dumb-init as ENTRYPOINT, node with a SIGTERM handler',
    engine: 1,
    standins: ['node'],
    dockerfile: [
      'FROM node:18-alpine',
      'RUN apk add --no-cache dumb-init',
      'WORKDIR /app',
      'COPY server.js .',
      'USER node',
      app.WGET_PROBE(8080),
      'ENTRYPOINT ["dumb-init", "--"]',
      'CMD ["node", "server.js"]'
    ],
    files: { 'server.js': app.NODE_SERVER_HANDLER },
    expect: { health: 'healthy', stop: 'exited 0', uid: 1000, uids: [1000], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    // docker run --init's tini passes SIGTERM on; python has no handler, so it dies of it: 128 + 15
    name: 'docker-init as ENTRYPOINT, python http.server',
    engine: 1,
    standins: ['python'],
    inits: ['docker-init'],
    dockerfile: ['FROM python:3.11-slim', 'COPY docker-init /docker-init', 'WORKDIR /srv', ...USER_APP, app.PYTHON_PROBE(8000), 'ENTRYPOINT ["/docker-init", "--"]', 'CMD ["python", "-m", "http.server", "8000"]'],
    expect: { health: 'healthy', stop: 'exited 143', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'pass' } }
  },
  {
    // Go's runtime exits 2 on a signal it has no handler for, where the kernel ignores it for PID 1
    name: 'go without a SIGTERM handler',
    engine: 1,
    standins: ['golang', 'debian'],
    dockerfile: [
      'FROM golang:1.19 AS build',
      'WORKDIR /src',
      'COPY main.go .',
      'RUN CGO_ENABLED=0 go build -o /server main.go',
      'FROM debian:bookworm-slim',
      'COPY --from=build /server /usr/local/bin/server',
      'USER 10001',
      'HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD ["server", "probe"]',
      'CMD ["server"]'
    ],
    files: { 'main.go': app.GO_SERVER },
    expect: { health: 'healthy', stop: 'exited 2', uid: 10001, uids: [10001], checks: { health: 'pass', user: 'pass', stop: 'fail' } }
  }
]
