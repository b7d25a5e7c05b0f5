import type { Report } from './report.js'

// How to run an image under an init that passes the stop signal on to the app, written for that
// image: the init goes in front of its own ENTRYPOINT (after `--`), never instead of it, and comes
// from the base's packages (apk, apt-get), or as a static tini copied in where nothing can be
// installed (no shell: FROM scratch, distroless; busybox alone). Docker and compose can add one
// without a change to the image; Kubernetes cannot.

/** "RUN apk add --no-cache dumb-init, then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (…). Or …" */
export function initAdvice(report: Report): string {
  const entrypoint = report.image.entrypoint ?? []
  const base = report.user.base
  const keeps = entrypoint.length ? ' (the image\'s own ENTRYPOINT stays, after --)' : ' (CMD stays as it is)'
  const line = (init: string) => `ENTRYPOINT ${JSON.stringify([init, '--', ...entrypoint])}${keeps}`
  const install =
    base?.shell === false || base?.os === 'busybox'
      ? `Nothing can be installed in this image, so copy a static tini in from a build stage (tini-static, from Debian's or Alpine's tini package: COPY --from=build /usr/bin/tini-static /tini on Debian), then ${line('/tini')}`
      : base?.os === 'alpine'
        ? `RUN apk add --no-cache dumb-init, then ${line('dumb-init')}`
        : base?.os === 'debian'
          ? `RUN apt-get update && apt-get install -y --no-install-recommends dumb-init && rm -rf /var/lib/apt/lists/*, then ${line('dumb-init')}`
          : `Install dumb-init or tini in the image (apk add dumb-init on Alpine, apt-get install dumb-init on Debian and Ubuntu), then ${line('dumb-init')}`
  return `${install}. Without changing the image: docker run --init, or init: true in compose (Kubernetes has no such setting).`
}
