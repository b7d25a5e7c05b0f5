import type { Docker } from './docker.js'
import type { Waiter } from './wait.js'

// Wakes a wait the moment Docker reports something about the container, instead of sleeping
// between inspections. The wait still decides from Docker's state (inspect); an event only says
// "look now". A wait also ends after its timeout, so a lost stream costs at most that.

export interface ContainerWatch extends Waiter {
  stop: () => void
  /** how many events of a kind arrived so far ("exec_start", the action before any colon) */
  count: (action: string) => number
  /** when (clock time) the last event of a kind arrived, or undefined */
  lastAt: (action: string) => number | undefined
}

/**
 * Follows `docker events` for one container name. Started before `docker run`, with --since, so
 * nothing is missed even if the stream connects after the container has already changed.
 */
export function watchContainer(docker: Docker, name: string, events: string[] = ['health_status', 'die']): ContainerWatch {
  let pending = false
  let wake: (() => void) | undefined
  const counts = new Map<string, number>()
  const times = new Map<string, number>()
  const since = (Date.now() / 1000 - 1).toFixed(3)
  const filters = [`container=${name}`, ...events.map(e => `event=${e}`)].flatMap(f => ['--filter', f])
  const stream = docker.stream(['events', '--since', since, ...filters, '--format', '{{.Action}}'], line => {
    // "exec_start: curl -f http://..." and "health_status: healthy" carry details after a colon
    const action = line.split(':')[0].trim()
    counts.set(action, (counts.get(action) ?? 0) + 1)
    times.set(action, Date.now())
    pending = true
    wake?.()
  })
  return {
    now: () => Date.now(),
    count: action => counts.get(action) ?? 0,
    lastAt: action => times.get(action),
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
