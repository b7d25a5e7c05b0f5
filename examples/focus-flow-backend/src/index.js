// Focus Flow API: plain node:http, no dependencies.
//   GET  /health        -> {"status":"healthy","uptime":<seconds>,"timestamp":"<iso>"}
//   GET  /api/sessions  -> list of focus sessions
//   POST /api/sessions  -> create one from {"task": "...", "minutes": 25}
//   GET  /api/stats     -> totals
import http from 'node:http';
import { createSession, listSessions, stats } from './sessions.js';

const PORT = Number(process.env.PORT ?? 3001);
const MAX_BODY = 64 * 1024;

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new RangeError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new RangeError('request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

async function handle(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    return send(res, 200, { status: 'healthy', uptime: Math.round(process.uptime()), timestamp: new Date().toISOString() });
  }
  if (pathname === '/api/sessions' && req.method === 'GET') {
    return send(res, 200, { sessions: listSessions() });
  }
  if (pathname === '/api/sessions' && req.method === 'POST') {
    try {
      return send(res, 201, createSession(await readJson(req)));
    } catch (err) {
      if (err instanceof RangeError) return send(res, 400, { error: err.message });
      throw err;
    }
  }
  if (pathname === '/api/stats' && req.method === 'GET') {
    return send(res, 200, stats());
  }
  return send(res, 404, { error: `no route for ${req.method} ${pathname}` });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error('request failed:', err);
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
    else res.destroy();
  });
});

// No host argument: node listens on "::" (IPv4 and IPv6) where IPv6 exists, else on 0.0.0.0,
// so both http://localhost:3001 and http://127.0.0.1:3001 work inside the container.
server.listen(PORT, () => {
  const addr = server.address();
  console.log(`focus-flow-backend listening on ${addr.address} port ${addr.port}`);
});

function shutdown(signal) {
  console.log(`${signal} received, closing server`);
  server.close(() => {
    console.log('server closed, exiting');
    process.exit(0);
  });
  server.closeIdleConnections();
  // Do not hang on slow clients: Docker sends SIGKILL after its stop timeout anyway.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
