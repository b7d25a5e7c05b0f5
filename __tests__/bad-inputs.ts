import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

// Malformed inputs and the one-line error each must give. The unit test runs them through
// readInputs; the end-to-end test through dist/index.js as the runner starts it (exit code 1, the
// ::error:: line, the "did not run" summary). Every row also sets context: app (see badInputDir).

export const BAD_INPUTS: Array<[Record<string, string>, string]> = [
  [{ 'no-cache': 'yes' }, 'Input "no-cache" must be true or false; got "yes".'],
  [{ fail: 'maybe' }, 'Input "fail" must be true or false; got "maybe".'],
  [{ 'health-timeout': '-5' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "-5".'],
  [{ 'health-timeout': 'abc' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "abc".'],
  [{ 'health-timeout': '0' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "0".'],
  [{ 'max-size': '500XB' }, 'Input "max-size" must be a byte count or a number with a unit'],
  [{ env: 'JUSTAKEY' }, 'Input "env" takes one KEY=VALUE per line; "JUSTAKEY" is not of that form.'],
  [{ platforms: 'linux/amd64,arm64' }, 'Input "platforms" takes platforms like linux/amd64 or linux/arm/v7; "arm64" is not one.'],
  [{ platforms: 'linux/arm64,linux/amd64,linux/arm64' }, 'Input "platforms" names linux/arm64 twice.'],
  [{ file: 'nope/Dockerfile' }, 'Input "file" must name a Dockerfile; "nope/Dockerfile" does not exist.'],
  [{ context: 'missing' }, 'Input "context" must be a directory'],
  [{ context: 'not-a-dir' }, 'Input "context" must be a directory'],
  [{ context: '.' }, 'No Dockerfile in the context'],
  [{ command: 'node a.js && rm -rf /' }, 'Input "command" is not run through a shell'],
  [{ command: '["node", 1]' }, 'Input "command" starting with "[" must be a non-empty JSON array of strings'],
  [{ command: '[oops' }, 'Input "command" starting with "[" must be a JSON array of strings'],
  [{ 'run-profile': 'strict' }, 'Input "run-profile" must be one of docker, restricted, openshift; got "strict".'],
  [{ 'run-memory': 'lots' }, 'Input "run-memory" must be a memory size as docker run --memory takes it, e.g. 256m, 512m or 1g (k, m, g are KiB, MiB, GiB, as docker run reads them, in either case), or as a pod spec writes it, e.g. 256Mi or 1Gi (256MiB and 300MB too); got "lots".'],
  [{ 'read-only': 'sometimes' }, 'Input "read-only" must be true or false; got "sometimes".'],
  [{ 'max-memory': 'small' }, 'Input "max-memory" must be a byte count or a number with a unit'],
  [{ 'size-basis': 'zipped' }, 'Input "size-basis" must be one of uncompressed, compressed; got "zipped".'],
  [{ 'size-basis': 'compressed', 'compressed-size': 'false' }, 'Input "size-basis: compressed" needs compressed-size: true.'],
  [{ 'max-size-increase': '10%' }, 'Input "max-size-increase" needs compare-to: the image to compare with.'],
  [{ push: 'true' }, 'Input "push" needs tags: where to push the image, e.g. ghcr.io/OWNER/app:1.2.0.'],
  [{ 'max-size-increase': 'lots', 'compare-to': 'app:main' }, 'Input "max-size-increase" must be a percentage like 10% or a size like 20MB; got "lots".'],
  [
    { tags: 'ghcr.io/o/app:v1.2.0\nghcr.io/o/app:latest', 'compare-to': 'ghcr.io/o/app' },
    'Input "compare-to" is one of tags (ghcr.io/o/app:latest): the new image gets that tag before it is compared, so it would be compared with itself. Compare with the last release by its own tag (e.g. the previous version), not one this run tags.'
  ],
  [{ 'require-baseline': 'sometimes' }, 'Input "require-baseline" must be true or false; got "sometimes".'],
  [{ 'stop-timeout': 'soon' }, 'Input "stop-timeout" must be a whole number of seconds, 1 or more; got "soon".'],
  [{ 'require-graceful-stop': 'maybe' }, 'Input "require-graceful-stop" must be true or false; got "maybe".'],
  [{ 'max-probe-time': '-5' }, 'Input "max-probe-time" must be a whole number of milliseconds, 1 or more (e.g. 200); got "-5".'],
  [{ 'max-probe-time': '0.5s' }, 'Input "max-probe-time" must be a whole number of milliseconds, 1 or more (e.g. 200); got "0.5s".'],
  [{ 'max-startup-time': 'soon' }, 'Input "max-startup-time" must be a whole number of seconds, 1 or more; got "soon".'],
  [{ 'smoke-seconds': '0' }, 'Input "smoke-seconds" must be a whole number of seconds, 1 or more; got "0".'],
  [{ 'fast-health': 'on' }, 'Input "fast-health" must be true or false; got "on".'],
  [{ 'smoke-commands': 'node worker.js\nnode a.js | tee log' }, 'Input "smoke-commands" is not run through a shell'],
  [{ target: 'worker' }, 'Input "target" must name a stage of Dockerfile; "worker" is not one (its stages are build, runtime).'],
  [{ 'call-timeout': '0' }, 'Input "call-timeout" must be a whole number of seconds, 1 or more; got "0".'],
  [{ 'call-timeout': '2.5' }, 'Input "call-timeout" must be a whole number of seconds, 1 or more; got "2.5".'],
  [{ timeout: '30m' }, 'Input "timeout" must be a whole number of seconds, 1 or more; got "30m".'],
  // beyond 2^31-1 ms a Node timer fires at once: the run would time out as it starts
  [{ timeout: '9999999' }, 'Input "timeout" must be a whole number of seconds from 1 to 2147483; got "9999999".'],
  [{ 'call-timeout': '2147484' }, 'Input "call-timeout" must be a whole number of seconds from 1 to 2147483; got "2147484".'],
  [{ 'health-timeout': '3000000' }, 'Input "health-timeout" must be a whole number of seconds from 1 to 2147483; got "3000000".'],
  [{ 'smoke-seconds': '99999999999999999999' }, 'Input "smoke-seconds" must be a whole number of seconds from 1 to 2147483; got "99999999999999999999".'],
  [{ 'max-startup-time': '2147484' }, 'Input "max-startup-time" must be a whole number of seconds from 1 to 2147483; got "2147484".'],
  [{ secrets: 'JUSTATOKEN' }, 'Input "secrets" takes one id=value per line; a line without "=" is not of that form.'],
  [{ 'secret-files': '=/etc/passwd' }, 'Input "secret-files" takes one id=path per line; a line without "=" is not of that form.'],
  [{ 'comment-from': 'nope.json' }, 'Input "comment-from" must name a report file written by image-gate; "nope.json" does not exist.'],
  [{ 'no-cache': 'TRUE!' }, 'Input "no-cache" must be true or false; got "TRUE!".'],
  [{ 'max-size': '-1MB' }, 'Input "max-size" must be a byte count or a number with a unit'],
  [{ 'github-token': 'token ghp_abc' }, 'Input "github-token" must be a token without spaces, such as ${{ github.token }} or ${{ secrets.NAME }}; the value given has whitespace in it.'],
  [{ tags: 'shop-api:1.0, Shop-API:latest' }, 'Input "tags" must be an image reference like app:1.2 or ghcr.io/owner/app:sha (lowercase name; tag of letters, digits, ".", "_", "-"); "Shop-API:latest" is not one.'],
  [{ tags: 'app:v1 beta' }, 'Input "tags" must be an image reference like app:1.2 or ghcr.io/owner/app:sha'],
  [{ 'compare-to': 'app:' }, 'Input "compare-to" must be an image reference like app:1.2 or ghcr.io/owner/app:sha'],
  [{ network: 'bridge' }, 'Input "network" must be one of default, none, host; got "bridge".'],
  [{ 'allow-paths': 'app/test/*.pem\napp/[oops' }, 'Input "allow-paths" takes one glob per line (e.g. **/.env or app/test/*.pem); "app/[oops" is not one: Missing closing: "]"'],
  [{ 'forbid-paths': '**/*.log\n@(coverage' }, 'Input "forbid-paths" takes one glob per line (e.g. **/.env or app/test/*.pem); "@(coverage" is not one: Missing closing: ")"'],
  [{ 'require-clean-contents': 'mostly' }, 'Input "require-clean-contents" must be true or false; got "mostly".'],
  [{ 'secret-files': 'npmrc=missing/.npmrc' }, 'Input "secret-files" takes one id=path per line, with a file at path; "missing/.npmrc" (for npmrc) is not a file.'],
  [{ 'run-network': 'my network' }, 'Input "run-network" must name a Docker network (e.g. ${{ job.services.postgres.network }}, host, or one you created); "my network" is not a network name.'],
  [{ 'run-add-hosts': 'postgres:10.0.0.5\ncache 10.0.0.6' }, 'Input "run-add-hosts" takes one NAME:IP per line (IP may be host-gateway, e.g. host.docker.internal:host-gateway); "cache 10.0.0.6" is not of that form.'],
  [{ 'run-add-hosts': 'db:999.1.1.1' }, 'Input "run-add-hosts" takes one NAME:IP per line (IP may be host-gateway, e.g. host.docker.internal:host-gateway); "db:999.1.1.1" is not of that form.']
]

/** A working directory for the table: app/Dockerfile with stages build and Runtime, and a plain file. */
export function badInputDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-inputs-'))
  mkdirSync(path.join(dir, 'app'))
  writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM scratch AS build\nFROM scratch AS Runtime\n')
  writeFileSync(path.join(dir, 'not-a-dir'), '')
  return dir
}
