import { DOCKER_DEFAULT_INTERVAL_S, DOCKER_DEFAULT_RETRIES } from '../docker/container.js'
import type { Docker } from '../docker/docker.js'
import type { ImageFacts } from '../report/report.js'
import { healthcheckOf } from '../health/rules.js'

// Stage 2: what the engine says about the built image. Size is the engine's own byte count.

interface ImageInspect {
  Id: string
  Size: number
  Os?: string
  Architecture?: string
  Variant?: string
  Config?: {
    User?: string
    StopSignal?: string
    /** durations in nanoseconds; 0 or absent: Docker's default */
    Healthcheck?: { Test?: string[]; Retries?: number; Interval?: number; StartPeriod?: number; StartInterval?: number }
    ExposedPorts?: Record<string, unknown>
    Entrypoint?: string[] | null
    Cmd?: string[] | null
    Labels?: Record<string, string> | null
  }
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageFacts> {
  // masked once parsed, so no mask can break the JSON
  const [image] = docker.secrets.maskStrings(JSON.parse(await docker.ok(['image', 'inspect', ref], { raw: true })) as ImageInspect[])
  const check = image.Config?.Healthcheck
  return {
    id: image.Id,
    size: image.Size,
    // the platform it was built for: its ELF files are held against it (contents)
    platform: [image.Os || 'linux', image.Architecture, image.Variant].filter(Boolean).join('/'),
    user: image.Config?.User ?? '',
    stopSignal: image.Config?.StopSignal ?? '',
    healthcheck: healthcheckOf(check?.Test),
    healthcheckRetries: check?.Retries || DOCKER_DEFAULT_RETRIES,
    healthcheckInterval: (check?.Interval || DOCKER_DEFAULT_INTERVAL_S * 1e9) / 1e9,
    healthcheckStartPeriod: (check?.StartPeriod ?? 0) / 1e9,
    // unset is not 0: Docker 27 and later then probe every 5 s during the start period
    healthcheckStartInterval: check?.StartInterval ? check.StartInterval / 1e9 : undefined,
    exposedPorts: Object.keys(image.Config?.ExposedPorts ?? {}),
    // what runs as PID 1: the stop check names a shell-form CMD's JSON form
    entrypoint: image.Config?.Entrypoint ?? [],
    cmd: image.Config?.Cmd ?? [],
    labels: image.Config?.Labels ?? {}
  }
}
