'use strict';
// TyneBase background worker: re-indexes documents on a timer. Run with `node dist/worker.js`.
// Logs one line per tick; exits 0 on SIGTERM/SIGINT after finishing the current tick.
const config = require('./config');
const { listDocuments } = require('./documents');

let tick = 0;
let busy = false;
let stopping = false;

function runTick() {
  busy = true;
  tick += 1;
  const docs = listDocuments();
  console.log(`[worker] tick ${tick}: indexed ${docs.length} documents at ${new Date().toISOString()}`);
  busy = false;
  if (stopping) process.exit(0);
}

const timer = setInterval(runTick, config.workerIntervalMs);
console.log(`[worker] ${config.service} ${config.version} started, tick every ${config.workerIntervalMs} ms`);

function stop(signal) {
  console.log(`[worker] ${signal} received after ${tick} ticks, stopping`);
  stopping = true;
  clearInterval(timer);
  if (!busy) process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
