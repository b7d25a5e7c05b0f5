'use strict';
// Build: syntax-check the sources, copy src/ to dist/, write dist/build-info.json.
// package.json is required from dist/config.js as ../package.json, which resolves to /app in the image.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const pkg = require(path.join(root, 'package.json'));

const files = fs.readdirSync(src).filter((f) => f.endsWith('.js'));
for (const file of files) execFileSync(process.execPath, ['--check', path.join(src, file)], { stdio: 'inherit' });

fs.rmSync(dist, { recursive: true, force: true });
fs.cpSync(src, dist, { recursive: true });
fs.writeFileSync(
  path.join(dist, 'build-info.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, builtAt: new Date().toISOString(), node: process.version }, null, 2) + '\n',
);

// npm creates no node_modules when there is nothing to install, but the image's runtime stage
// copies node_modules (where runtime dependencies would live): make sure the directory exists.
fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true });

console.log(`built ${files.length} files into dist/ (${pkg.name}@${pkg.version})`);
