"""Booking API: the standard library's http.server, no dependencies.

  GET  /health               -> {"status": "ok", "uptime": <seconds>}
  GET  /api/rooms            -> the rooms
  GET  /api/bookings[?room=] -> the bookings, of one room or all
  POST /api/bookings         -> book {"room": "atlas", "date": "2026-12-03", "hour": 9, "name": "Ada"}
"""
import json
import logging
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app import bookings

PORT = int(os.environ.get("PORT", "8000"))
MAX_BODY = 64 * 1024
STARTED = time.monotonic()
log = logging.getLogger("booking-api")


class Handler(BaseHTTPRequestHandler):
    server_version = "booking-api/1.0"

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/health":
            return self.send_json(200, {"status": "ok", "uptime": round(time.monotonic() - STARTED)})
        if url.path == "/api/rooms":
            return self.send_json(200, {"rooms": bookings.list_rooms()})
        if url.path == "/api/bookings":
            room = parse_qs(url.query).get("room", [None])[0]
            return self.send_json(200, {"bookings": bookings.list_bookings(room)})
        self.send_json(404, {"error": f"no route for GET {url.path}"})

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/api/bookings":
            return self.send_json(404, {"error": f"no route for POST {url.path}"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.send_json(413, {"error": "request body too large"})
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
            self.send_json(201, bookings.create_booking(data))
        except json.JSONDecodeError:
            self.send_json(400, {"error": "request body is not valid JSON"})
        except bookings.BookingError as err:
            self.send_json(err.status, {"error": str(err)})

    def send_json(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        # one line per request through logging (stdout), not http.server's stderr
        log.info("%s %s", self.address_string(), format % args)


class Server(ThreadingHTTPServer):
    # server_close() waits for requests still being answered when SIGTERM came
    daemon_threads = False


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s")
    server = Server(("0.0.0.0", PORT), Handler)

    def on_sigterm(signum, frame):
        log.info("%s received, shutting down", signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, which runs in this (the main) thread:
        # call it from another thread, or it would wait for itself
        threading.Thread(target=server.shutdown).start()

    # as PID 1 in a container nothing handles SIGTERM unless the program does: docker stop
    # would wait its 10 s and then kill it
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)
    log.info("booking-api listening on 0.0.0.0 port %d", PORT)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    log.info("stopped")


if __name__ == "__main__":
    main()
