// ESLint's and typescript-eslint's recommended rules over our code: src/, the tests, the bench and
// the scripts. Not dist/ (generated) nor examples/ (the example apps stand for a user's code, kept
// as such users write it; the gate checks their images, not their style).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Node's globals for the plain JavaScript files (in TypeScript the compiler checks names instead)
const node = Object.fromEntries(
  [
    'AbortController', 'Buffer', 'URL', 'URLSearchParams', 'TextDecoder', 'TextEncoder', 'console', 'process',
    'queueMicrotask', 'setImmediate', 'setInterval', 'setTimeout', 'clearImmediate', 'clearInterval',
    'clearTimeout', 'structuredClone'
  ].map(name => [name, 'readonly'])
)

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'examples/', 'lib/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: node } }
)
