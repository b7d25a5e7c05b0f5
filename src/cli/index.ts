#!/usr/bin/env node
// The command line's entry point (package.json bin); ncc bundles it into dist/cli/index.js.
// `image-gate [options] [context]`: the same pipeline as the action, on a developer's machine,
// printing to the terminal (terminal.ts) and exiting 0 (passed), 1 (failed or could not run) or 2
// (bad usage).
import { RunContext } from '../context.js'
import { run } from '../pipeline.js'
import { githubSink } from '../publish/github-sink.js'
import { parseCommandLine, UsageHelp, USAGE } from './options.js'
import { terminalSink } from './terminal.js'

async function main(argv: string[]): Promise<void> {
  let inputs: Record<string, string>
  try {
    inputs = parseCommandLine(argv)
  } catch (err) {
    if (err instanceof UsageHelp) {
      console.log(USAGE)
      return
    }
    const message = (err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '')
    console.error(`image-gate: ${message} (see image-gate --help)`)
    process.exitCode = 2
    return
  }
  // inside a workflow the runner reads workflow commands; a terminal gets plain text
  const sink = process.env.GITHUB_ACTIONS ? githubSink : terminalSink
  await run(new RunContext(sink), name => inputs[name] ?? '', { hasPostStep: false })
}

void main(process.argv.slice(2))
