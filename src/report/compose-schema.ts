import * as v from 'valibot'
import { firstOf, logTail, measured, short, text } from './fields.js'

/**
 * compose-file: the services the gated one depends on, started and waited for as the file says,
 * and the settings the built image took from its service. `failed`: a dependency let it down (its
 * name, verdict, health output and log in `message`), so nothing was run in the service's place.
 */
export const ComposeSchema = v.object({
  file: short(),
  service: short(),
  /** the compose project's name: unique to the run, so parallel runs do not collide */
  project: short(),
  outcome: v.picklist(['ready', 'failed']),
  /** each dependency and when (seconds after the stage began) its condition held */
  dependencies: firstOf(v.object({ service: short(), condition: short(), seconds: measured() }), 30),
  settings: firstOf(v.object({ input: short(), value: text(1_000), key: short(), use: v.picklist(['file', 'input']) }), 60),
  notes: firstOf(v.object({ text: text(1_000), key: short() }), 30),
  /** failed: the message, one line then the dependency's health output and log */
  message: v.optional(logTail())
})
