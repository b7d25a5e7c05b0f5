// The action's entry point (runs.main and runs.post in action.yml); ncc bundles it into dist/index.js.
// The main step saves its run id; the post step gets it back and removes whatever that run left.
import * as core from '@actions/core'
import { RunContext } from './context.js'
import { post } from './docker/cleanup.js'
import { actionInputs } from './inputs/inputs.js'
import { run } from './pipeline.js'
import { githubSink } from './publish/github-sink.js'

const mainRun = core.getState('run')
const ctx = new RunContext(githubSink)
if (mainRun) {
  void post(ctx.docker, mainRun, githubSink)
} else {
  // for the post step, and for a cancelled job: what this run creates carries this id
  core.saveState('run', ctx.id)
  void run(ctx, actionInputs, { hasPostStep: true })
}
