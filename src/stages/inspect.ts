import { dockerOk } from '../docker/docker.js'
import type { Report } from '../report/report.js'

// Stage 2: what the engine says about the built image. Size is the engine's own byte count.

interface ImageInspect {
  Id: string
  Size: number
  Config?: {
    User?: string
    Healthcheck?: { Test?: string[]; Retries?: number }
    ExposedPorts?: Record<string, unknown>
    Labels?: Record<string, string> | null
  }
}

export async function inspectImage(ref: string, report: Report): Promise<void> {
  const [image] = JSON.parse(await dockerOk(['image', 'inspect', ref])) as ImageInspect[]
  report.image.id = image.Id
  report.image.size = image.Size
  report.image.user = image.Config?.User ?? ''
  report.image.healthcheck = healthcheckOf(image.Config?.Healthcheck?.Test)
  report.image.healthcheckRetries = image.Config?.Healthcheck?.Retries || DOCKER_DEFAULT_RETRIES
  report.image.exposedPorts = Object.keys(image.Config?.ExposedPorts ?? {})
  report.image.labels = image.Config?.Labels ?? {}
}

/** What Docker uses when the image sets no --retries. */
export const DOCKER_DEFAULT_RETRIES = 3

/** `HEALTHCHECK NONE` and an inherited empty test both mean: no health check. */
export function healthcheckOf(test: string[] | undefined): string[] | undefined {
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined
  return test
}

/** ["CMD-SHELL", "wget ... || exit 1"] → "wget ... || exit 1"; ["CMD", "a", "b"] → "a b". */
export function describeHealthcheck(test: string[]): string {
  return test.slice(1).join(' ')
}
