#!/usr/bin/env node
// The command line's entry point (package.json bin); ncc bundles it into dist/cli/index.js.
// `image-gate [options] [context]`: the same pipeline as the action, on a developer's machine,
// printing the report to stdout (terminal.ts), its one failure line to stderr, and exiting 0
// (passed), 1 (failed or could not run) or 2 (bad usage: an unknown option, a bad value).
import { RunContext } from '../context.js'
import { InputError, readInputs } from '../inputs/inputs.js'
import { run } from '../pipeline.js'
import { githubSink } from '../publish/github-sink.js'
import { Answer, parseCommandLine, UsageError } from './options.js'
import { terminalSink } from './terminal.js'

async function main(argv: string[]): Promise<void> {
  let inputs: Record<string, string>
  try {
    inputs = parseCommandLine(argv)
    // every value is checked before anything runs, so a bad one is bad usage, named as the option
    // it was given as (--max-size), not as the action's input
    readInputs(name => inputs[name] ?? '')
  } catch (err) {
    if (err instanceof Answer) {
      console.log(err.text)
      return
    }
    if (err instanceof UsageError) console.error(`image-gate: ${err.message} (see image-gate --help)`)
    else if (err instanceof InputError) console.error(`image-gate: ${err.commandLine}`)
    else throw err
    process.exitCode = 2
    return
  }
  // inside a workflow the runner reads workflow commands; a terminal gets plain text
  const sink = process.env.GITHUB_ACTIONS ? githubSink : terminalSink()
  await run(new RunContext(sink), name => inputs[name] ?? '', { hasPostStep: false })
}

void main(process.argv.slice(2))
