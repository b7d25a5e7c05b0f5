import type { Docker } from './docker.js'
import type { Waiter } from './wait.js'

// Wakes the health wait the moment Docker reports something about the container, instead of
// sleeping between inspections. The wait still decides from Docker's state (inspect); an event
// only says "look now". A wait also ends after its timeout, so a lost stream costs at most that.

export interface ContainerWatch extends Waiter {
  stop: () => void
}

/**
 * Follows `docker events` for one container name. Started before `docker run`, with --since, so
 * nothing is missed even if the stream connects after the container has already changed.
 */
export function watchContainer(docker: Docker, name: string, events: string[] = ['health_status', 'die']): ContainerWatch {
  let pending = false
  let wake: (() => void) | undefined
  const since = (Date.now() / 1000 - 1).toFixed(3)
  const filters = [`container=${name}`, ...events.map(e => `event=${e}`)].flatMap(f => ['--filter', f])
  const stream = docker.stream(['events', '--since', since, ...filters, '--format', '{{.Action}}'], () => {
    pending = true
    wake?.()
  })
  return {
    now: () => Date.now(),
    wait(ms: number) {
      if (pending) {
        pending = false
        return Promise.resolve()
      }
      return new Promise<void>(resolve => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          wake = undefined
          pending = false
          resolve()
        }
        wake = done
      })
    },
    stop: () => {
      stream.stop()
      wake?.()
    }
  }
}
