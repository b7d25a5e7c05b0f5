import { describe } from '@jest/globals'

// Apart from action.ts, which the benches import outside jest, where @jest/globals cannot load.

/**
 * A describe for tests whose verdict does not depend on the engine (what the GitHub API answers,
 * input that is refused before anything runs, an engine that cannot be reached):
 * scripts/test.sh runs them on its first engine and skips them on the others
 * (IMAGE_GATE_ENGINE_AGNOSTIC_DONE=1), where they would only repeat, at a minute of CI time.
 */
export const engineAgnostic = process.env.IMAGE_GATE_ENGINE_AGNOSTIC_DONE === '1' ? describe.skip : describe
