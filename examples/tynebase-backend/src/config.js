'use strict';
// Settings shared by the API server and the worker, from the environment.
const pkg = require('../package.json');

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

module.exports = {
  service: pkg.name,
  version: pkg.version,
  port: intFromEnv('PORT', 8080),
  workerIntervalMs: intFromEnv('WORKER_INTERVAL_MS', 2000),
};
