import * as v from 'valibot'

// The report schema's field types (schema.ts), each with its cap: a saved report is untrusted, so
// strings and lists are cut to what a comment can show, keeping every type the same.

/** At most `max` characters (a comment has room for 65,536 in all). */
export const text = (max = 10_000) =>
  v.pipe(
    v.string(),
    v.transform(s => s.slice(0, max))
  )
/** An instruction or an image reference: one line's worth. */
export const short = () => text(1_000)
/** A list of what the image gave (its ports, its processes): the first `max`. */
export const firstOf = <T extends v.GenericSchema>(item: T, max: number) =>
  v.pipe(
    v.array(item),
    v.transform(items => items.slice(0, max))
  )
/** Rows are never cut (a comment without one would lie by omission): a file with more than any run writes is refused. */
export const MAX_ROWS = 100
export const rows = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.maxLength(MAX_ROWS, `at most ${MAX_ROWS} rows`))
/** The newest 200 lines of a log. */
export const logTail = () =>
  v.pipe(
    v.array(text()),
    v.transform(lines => lines.slice(-200))
  )
/**
 * An optional measurement. JSON.stringify writes NaN (a timestamp Docker left empty) as null, so a
 * report image-gate wrote itself may hold null here: it means "not measured", like a missing field.
 */
export const measured = () =>
  v.optional(
    v.pipe(
      v.nullable(v.number()),
      v.transform(n => n ?? undefined)
    )
  )
// (the messages complete load.ts's "expected …")
export const wholeNumber = () => v.pipe(v.number(), v.integer('a whole number'))
