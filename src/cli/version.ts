// The version --version prints: package.json's, put into the bundle when ncc builds it, so the
// installed command line needs no file beside it.
import manifest from '../../package.json' with { type: 'json' }

export const VERSION: string = manifest.version
