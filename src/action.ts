// The action's entry point (runs.main and runs.post in action.yml); ncc bundles it into dist/index.js.
// The post step gets the main step's saved run id and removes whatever that run left behind.
import * as core from '@actions/core'
import { post } from './docker/cleanup.js'
import { run } from './pipeline.js'

const mainRun = core.getState('run')
void (mainRun ? post(mainRun) : run())
