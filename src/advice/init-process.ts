import type { PlatformRun } from '../report/report.js'

// How to run an image under an init that passes the stop signal on to the app, written for that
// image: the init goes in front of its own ENTRYPOINT (after `--`), never instead of it, and comes
// from the base's packages (apk, apt-get), or as a static tini copied in where nothing can be
// installed (no shell: FROM scratch, distroless; busybox alone). Docker and compose can add one
// without a change to the image; Kubernetes cannot.

/** "RUN apk add --no-cache dumb-init, then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (…). Or …" */
export function initAdvice(run: PlatformRun): string {
  const entrypoint = run.image.entrypoint ?? []
  const base = run.user.base
  const keeps = entrypoint.length ? ' (its own ENTRYPOINT stays, after --)' : ' (CMD stays)'
  const line = (init: string) => `ENTRYPOINT ${JSON.stringify([init, '--', ...entrypoint])}${keeps}`
  const install =
    base?.shell === false || base?.os === 'busybox'
      ? `nothing can be installed here, so COPY a static tini in from a build stage (Debian's tini package has /usr/bin/tini-static), then ${line('/tini')}`
      : base?.os === 'alpine'
        ? `RUN apk add --no-cache dumb-init, then ${line('dumb-init')}`
        : base?.os === 'debian'
          ? `RUN apt-get update && apt-get install -y dumb-init, then ${line('dumb-init')}`
          : `install dumb-init (apk add dumb-init on Alpine, apt-get install dumb-init on Debian), then ${line('dumb-init')}`
  return `${install}. Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).`
}
