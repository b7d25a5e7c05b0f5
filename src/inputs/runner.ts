import * as core from '@actions/core'
import type { InputSource } from './read.js'

// The one place in inputs/ that knows about the runner, so the rest reads inputs from anywhere.

/**
 * On the runner, inputs come from INPUT_* variables: one per input of action.yml, and one per `with:` key.
 * GitHub's local-action gives an input that is not set action.yml's default as written; an expression
 * default (github-token's ${{ github.token }}) is the runner's to fill in, so there it means not given.
 * (The runner expands every expression, so no value it passes starts with one.)
 */
export const actionInputs: InputSource = Object.assign(
  (name: string) => {
    const value = core.getInput(name)
    return value.startsWith('${{') ? '' : value
  },
  { given: () => Object.keys(process.env).filter(key => key.startsWith('INPUT_')).map(key => key.slice('INPUT_'.length).toLowerCase()) }
)
