import * as core from '@actions/core'
import type { InputSource } from './read.js'

// The one place in inputs/ that knows about the runner, so the rest reads inputs from anywhere.

/** On the runner, inputs come from INPUT_* variables: one per input of action.yml, and one per `with:` key. */
export const actionInputs: InputSource = Object.assign((name: string) => core.getInput(name), {
  given: () => Object.keys(process.env).filter(key => key.startsWith('INPUT_')).map(key => key.slice('INPUT_'.length).toLowerCase())
})
