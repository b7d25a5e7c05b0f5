// The bundled entry (dist/index.js, the action's main and post step): it only runs the action.
// The logic lives in main.ts so that it can be imported without running (GitHub's local-action).
import { run } from './main.js'

void run()
