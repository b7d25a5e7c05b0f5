// Build: syntax-check every source file, copy src/ to dist/, and record what was built.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const files = readdirSync(src, { recursive: true }).filter((f) => String(f).endsWith('.js'));
for (const file of files) {
  execFileSync(process.execPath, ['--check', join(src, file)], { stdio: 'inherit' });
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(src, dist, { recursive: true });
writeFileSync(
  join(dist, 'build-info.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, builtAt: new Date().toISOString(), node: process.version, files }, null, 2) + '\n',
);
console.log(`built ${files.length} files into dist/ (${pkg.name}@${pkg.version})`);
