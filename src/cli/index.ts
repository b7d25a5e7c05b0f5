#!/usr/bin/env node
// The command line's entry point (package.json bin); ncc bundles it into dist/cli/index.js.
import { main } from './options.js'

void main(process.argv.slice(2))
