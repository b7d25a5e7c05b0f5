// The action's logic, exported as run() so that GitHub's local-action can import and run it
// (npm run local-action); src/index.ts, which ncc bundles into dist/index.js (runs.main and
// runs.post in action.yml), only calls it. Importing this file does nothing.
// The main step saves its run id; the post step gets it back and removes whatever that run left.
import * as core from '@actions/core'
import { RunContext } from './context.js'
import { post } from './docker/cleanup.js'
import { actionInputs } from './inputs/inputs.js'
import * as pipeline from './pipeline.js'
import { githubSink } from './publish/github-sink.js'

/** The main step (the pipeline), or the post step (cleanup) when the main step saved its run id. */
export async function run(): Promise<void> {
  const mainRun = core.getState('run')
  const ctx = new RunContext(githubSink)
  if (mainRun) return post(ctx.docker, mainRun, githubSink)
  // for the post step, and for a cancelled job: what this run creates carries this id
  core.saveState('run', ctx.id)
  await pipeline.run(ctx, actionInputs, { hasPostStep: true })
}
