// The small apps of the runtime matrix (runtimes.ts): each a server as people write them, on the
// port its base image's users expect, with or without a handler for its stop signal.

export const NODE_SERVER = "require('http').createServer((req, res) => res.end('ok\\n')).listen(8080)\n"

/** Closes the server on SIGTERM and exits 0 once in-flight requests are done. */
export const NODE_SERVER_HANDLER = [
  "const server = require('http').createServer((req, res) => res.end('ok\\n')).listen(8080)",
  "process.on('SIGTERM', () => server.close(() => process.exit(0)))",
  ''
].join('\n')

/** http.server with a SIGTERM handler that exits 0 (Python has none of its own). */
export const PYTHON_SERVER_HANDLER = [
  'import http.server, signal, sys',
  '',
  "server = http.server.HTTPServer(('0.0.0.0', 8000), http.server.SimpleHTTPRequestHandler)",
  'signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))',
  'server.serve_forever()',
  ''
].join('\n')

/** Python's own HTTP client as the probe: python:3.11-slim has neither wget nor curl. */
export const PYTHON_PROBE = (port: number) =>
  `HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2)"]`

export const WSGI_APP = ['def app(environ, start_response):', "    start_response('200 OK', [('Content-Type', 'text/plain')])", "    return [b'ok\\n']", ''].join('\n')

export const RACK_APP = 'run ->(env) { [200, { "content-type" => "text/plain" }, ["ok\\n"]] }\n'

/** Ruby's own HTTP client as the probe. */
export const RUBY_PROBE = (port: number) =>
  `HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD ["ruby", "-rnet/http", "-e", "exit Net::HTTP.get_response(URI('http://127.0.0.1:${port}/')).is_a?(Net::HTTPSuccess) ? 0 : 1"]`

/** jdk.httpserver with a shutdown hook: the JVM runs it on SIGTERM and exits 143. */
export const JAVA_APP = [
  'import com.sun.net.httpserver.HttpServer;',
  'import java.net.InetSocketAddress;',
  '',
  'public class App {',
  '  public static void main(String[] args) throws Exception {',
  '    HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);',
  '    server.createContext("/", exchange -> {',
  '      byte[] body = "ok\\n".getBytes();',
  '      exchange.sendResponseHeaders(200, body.length);',
  '      exchange.getResponseBody().write(body);',
  '      exchange.close();',
  '    });',
  '    server.start();',
  '    Runtime.getRuntime().addShutdownHook(new Thread(() -> {',
  '      server.stop(0);',
  '      System.out.println("stopped");',
  '    }));',
  '  }',
  '}',
  ''
].join('\n')

export const PHP_INDEX = "<?php\necho 'ok', PHP_EOL;\n"

/** A TCP connect to php-fpm's FastCGI port with the image's own php (the port speaks no HTTP). */
export const FPM_PROBE = 'HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD ["php", "-r", "exit(@fsockopen(\'127.0.0.1\', 9000) ? 0 : 1);"]'

/** busybox wget, which node:18-alpine has. */
export const WGET_PROBE = (port: number) => `HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:${port}/ || exit 1`

/** curl, which the official php, nginx and temurin images have. */
export const CURL_PROBE = (port: number) => `HEALTHCHECK --interval=1s --timeout=3s --start-period=30s CMD curl -fsS -o /dev/null http://127.0.0.1:${port}/ || exit 1`

/** A Go server without a SIGTERM handler, whose `probe` argument is its own health check. */
export const GO_SERVER = [
  'package main',
  '',
  'import (',
  '\t"net/http"',
  '\t"os"',
  ')',
  '',
  'func main() {',
  '\tif len(os.Args) > 1 && os.Args[1] == "probe" {',
  '\t\tr, err := http.Get("http://127.0.0.1:8080/")',
  '\t\tif err != nil || r.StatusCode != 200 {',
  '\t\t\tos.Exit(1)',
  '\t\t}',
  '\t\treturn',
  '\t}',
  '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\\n")) })',
  '\thttp.ListenAndServe(":8080", nil)',
  '}',
  ''
].join('\n')
