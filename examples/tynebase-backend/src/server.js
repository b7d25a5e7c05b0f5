'use strict';
// TyneBase API: plain node:http, no dependencies.
//   GET /health              -> {"status":"ok",...}
//   GET /api/documents[?tag] -> document list
//   GET /api/documents/:id   -> one document or 404
//   GET /api/version         -> service name and version
const http = require('node:http');
const config = require('./config');
const { listDocuments, getDocument } = require('./documents');

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(res.req.method === 'HEAD' ? undefined : json);
}

function route(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, { error: `method ${req.method} not allowed` });
  }
  const url = new URL(req.url || '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/health') {
    return send(res, 200, { status: 'ok', service: config.service, uptime: Math.floor(process.uptime()), timestamp: new Date().toISOString() });
  }
  if (path === '/api/version') {
    return send(res, 200, { service: config.service, version: config.version, node: process.version });
  }
  if (path === '/api/documents') {
    return send(res, 200, { documents: listDocuments(url.searchParams.get('tag') || undefined) });
  }
  const match = /^\/api\/documents\/([\w-]+)$/.exec(path);
  if (match) {
    const doc = getDocument(match[1]);
    return doc ? send(res, 200, doc) : send(res, 404, { error: `document ${match[1]} not found` });
  }
  return send(res, 404, { error: `no route for ${path}` });
}

const server = http.createServer((req, res) => {
  try {
    route(req, res);
  } catch (err) {
    console.error('request failed:', err);
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  }
});

server.listen(config.port, () => {
  const addr = server.address();
  console.log(`${config.service} ${config.version} listening on ${addr.address} port ${addr.port}`);
});

function shutdown(signal) {
  console.log(`${signal} received, draining connections`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
