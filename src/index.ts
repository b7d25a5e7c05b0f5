// The action's entry point (runs.main in action.yml); ncc bundles it into dist/index.js.
import { run } from './main.js'

void run()
