import { describe, expect, it } from '@jest/globals'
import { findUnreachable, unreachableSentence } from '../../src/advice/unreachable.js'

// Lines as each runtime or client prints them when a dependency is out of reach.

describe('findUnreachable: one message per runtime', () => {
  it.each([
    // Node.js, and clients that rethrow its errors (pg, ioredis, mongodb)
    ['Error: connect ECONNREFUSED 172.18.0.2:5432', '172.18.0.2:5432', 'refused'],
    ['[ioredis] Unhandled error event: Error: connect ECONNREFUSED 127.0.0.1:6379', '127.0.0.1:6379', 'refused'],
    ['Error: connect ECONNREFUSED ::1:5432', '[::1]:5432', 'refused'],
    ['Error: getaddrinfo ENOTFOUND postgres', 'postgres', 'unresolved'],
    ['MongoServerSelectionError: getaddrinfo EAI_AGAIN mongo', 'mongo', 'unresolved'],
    ['Error: connect ETIMEDOUT 10.0.0.1:5432', '10.0.0.1:5432', 'timed-out'],
    ['Error: connect EHOSTUNREACH 10.0.0.9:6379', '10.0.0.9:6379', 'no-route'],
    // busybox wget, GNU wget
    ["wget: bad address 'postgres:5432'", 'postgres:5432', 'unresolved'],
    ["wget: can't connect to remote host (172.17.0.3): Connection refused", '172.17.0.3', 'refused'],
    ['wget: unable to resolve host address ‘api’', 'api', 'unresolved'],
    ['Connecting to api (api)|172.18.0.4|:8000... failed: Connection refused.', 'api:8000', 'refused'],
    // curl, before and after 7.83's wording
    ['curl: (7) Failed to connect to postgres port 5432 after 3 ms: Connection refused', 'postgres:5432', 'refused'],
    ["curl: (7) Failed to connect to api port 8000 after 0 ms: Couldn't connect to server", 'api:8000', 'refused'],
    ['curl: (7) Failed to connect to api port 8000: Connection refused', 'api:8000', 'refused'],
    ['curl: (28) Failed to connect to 10.1.2.3 port 443 after 130001 ms: Connection timed out', '10.1.2.3:443', 'timed-out'],
    ['curl: (7) Failed to connect to 10.1.2.3 port 443 after 3 ms: No route to host', '10.1.2.3:443', 'no-route'],
    ['curl: (6) Could not resolve host: postgres', 'postgres', 'unresolved'],
    // libpq: psql, psycopg2, and anything else on top of it
    ['psql: error: could not translate host name "postgres" to address: Name or service not known', 'postgres', 'unresolved'],
    [
      'psycopg2.OperationalError: connection to server at "postgres" (172.18.0.2), port 5432 failed: Connection refused',
      'postgres:5432',
      'refused'
    ],
    ['connection to server at "10.0.0.1", port 5432 failed: Connection timed out', '10.0.0.1:5432', 'timed-out'],
    // Python: redis-py, asyncio, urllib3/requests, PyMySQL
    ['redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.', 'redis:6379', 'refused'],
    ['redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name or service not known.', 'redis:6379', 'unresolved'],
    ["ConnectionRefusedError: [Errno 111] Connect call failed ('172.18.0.3', 5432)", '172.18.0.3:5432', 'refused'],
    [
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='api', port=8000): Max retries exceeded with url: / (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))",
      'api:8000',
      'unresolved'
    ],
    [`pymysql.err.OperationalError: (2003, "Can't connect to MySQL server on 'mysql' ([Errno 111] Connection refused)")`, 'mysql', 'refused'],
    ["ERROR 2005 (HY000): Unknown MySQL server host 'mysql' (-2)", 'mysql', 'unresolved'],
    // Go: net, pgx
    ['dial tcp: lookup postgres on 127.0.0.11:53: no such host', 'postgres', 'unresolved'],
    ['dial tcp 172.18.0.2:5432: connect: connection refused', '172.18.0.2:5432', 'refused'],
    ['dial tcp 10.0.0.1:5432: i/o timeout', '10.0.0.1:5432', 'timed-out'],
    ['Get "http://10.0.0.7:8080/": dial tcp 10.0.0.7:8080: connect: no route to host', '10.0.0.7:8080', 'no-route'],
    [
      'failed to connect to `user=app database=app`: 172.18.0.2:5432 (postgres): dial error: dial tcp 172.18.0.2:5432: connect: connection refused',
      'postgres:5432',
      'refused'
    ],
    // Java: JDK, Netty, PostgreSQL JDBC
    ['Caused by: java.net.UnknownHostException: postgres: Name or service not known', 'postgres', 'unresolved'],
    ['io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: redis/172.18.0.5:6379', 'redis:6379', 'refused'],
    ['org.postgresql.util.PSQLException: Connection to postgres:5432 refused. Check that the hostname and port are correct', 'postgres:5432', 'refused']
  ])('%s', (line, target, why) => {
    expect(findUnreachable(['starting…', line, '   at process.processTicksAndRejections (node:internal)'])).toEqual({ target, why })
  })

  it('stays fast on long hostile lines', () => {
    const junk = ['1:1'.repeat(2000), ' (x'.repeat(2000), 'Error 1 connecting to ' + 'a.'.repeat(3000), 'dial tcp ' + ':1'.repeat(3000)]
    const start = Date.now()
    expect(findUnreachable(Array.from({ length: 100 }, (_, i) => junk[i % junk.length]))).toBeUndefined()
    expect(Date.now() - start).toBeLessThan(1000)
  })

  it("reads libpq's older message across its lines", () => {
    const lines = [
      'psql: could not connect to server: Connection refused',
      '\tIs the server running on host "db" (172.18.0.2) and accepting',
      '\tTCP/IP connections on port 5432?'
    ]
    expect(findUnreachable(lines)).toEqual({ target: 'db:5432', why: 'refused' })
  })

  it('strips ANSI colour codes', () => {
    expect(findUnreachable(['\x1b[31m\x1b[1mError\x1b[22m: connect \x1b[33mECONNREFUSED\x1b[39m 172.18.0.2:5432\x1b[0m'])).toEqual({
      target: '172.18.0.2:5432',
      why: 'refused'
    })
  })

  it.each([
    [[]],
    [['Listening on :8080', 'GET /health 200 1ms']],
    [['ConnectionRefusedError: [Errno 111] Connection refused']], // no target named
    [['java.net.ConnectException: Connection refused']],
    [['socket.gaierror: [Errno -2] Name or service not known']],
    [['Error: connect ENOENT /var/run/app.sock']]
  ])('finds nothing in %j', lines => {
    expect(findUnreachable(lines)).toBeUndefined()
  })
})

describe('findUnreachable: which target', () => {
  it("skips loopback on the app's own probed ports: that is the app not listening", () => {
    const probe = ['curl: (7) Failed to connect to localhost port 8080 after 0 ms: Connection refused']
    expect(findUnreachable(probe, { ownPorts: [8080] })).toBeUndefined()
    expect(findUnreachable(['connect ECONNREFUSED 127.0.0.1:8080', 'dial tcp [::1]:8080: connect: connection refused'], { ownPorts: [8080] })).toBeUndefined()
    expect(findUnreachable(probe)).toEqual({ target: 'localhost:8080', why: 'refused' }) // ports not given
  })

  it('keeps loopback on other ports (a sidecar expected on localhost)', () => {
    expect(findUnreachable(['Error: connect ECONNREFUSED 127.0.0.1:6379'], { ownPorts: [8080] })).toEqual({ target: '127.0.0.1:6379', why: 'refused' })
  })

  it("skips loopback with no port: busybox wget's refused probe", () => {
    expect(findUnreachable(["wget: can't connect to remote host (127.0.0.1): Connection refused"])).toBeUndefined()
  })

  it('prefers a named host over an address, wherever it is', () => {
    const lines = ['Error: getaddrinfo ENOTFOUND postgres', 'Error: connect ECONNREFUSED 172.18.0.9:6379']
    expect(findUnreachable(lines)).toEqual({ target: 'postgres', why: 'unresolved' })
  })

  it('takes the last among equals: the latest attempt', () => {
    const named = ['getaddrinfo ENOTFOUND redis', 'curl: (7) Failed to connect to postgres port 5432 after 1 ms: Connection refused']
    expect(findUnreachable(named)).toEqual({ target: 'postgres:5432', why: 'refused' })
    expect(findUnreachable(['connect ECONNREFUSED 10.0.0.1:1', 'connect ETIMEDOUT 10.0.0.2:2'])).toEqual({ target: '10.0.0.2:2', why: 'timed-out' })
  })

  it('does not take the DNS server of a Go lookup for the target', () => {
    expect(findUnreachable(['dial tcp: lookup postgres on 127.0.0.11:53: server misbehaving'])?.target).toBe('postgres')
  })
})

describe('unreachableSentence', () => {
  const refused = { target: 'postgres:5432', why: 'refused' } as const
  const unresolved = { target: 'postgres', why: 'unresolved' } as const

  it('names run-network when it is set', () => {
    expect(unreachableSentence(refused, 'gh_net')).toBe(
      'The app could not reach `postgres:5432` (connection refused): is the service running, on `gh_net` (run-network) and listening on that port?'
    )
    expect(unreachableSentence(unresolved, 'gh_net')).toBe(
      'The app could not resolve `postgres`: is a service by that name on `gh_net` (run-network)? Else add a host entry with run-add-hosts.'
    )
  })

  it("points at Docker's default bridge when run-network is empty", () => {
    expect(unreachableSentence(refused, '')).toBe(
      "The app could not reach `postgres:5432` (connection refused): is the service running? The container ran on Docker's default bridge, where service names do not resolve: set run-network (on GitHub, `${{ job.services.NAME.network }}`)."
    )
    expect(unreachableSentence(unresolved, '')).toBe(
      "The app could not resolve `postgres`: the container ran on Docker's default bridge, which resolves no service names; set run-network (on GitHub, `${{ job.services.NAME.network }}`), or add a host entry with run-add-hosts."
    )
  })

  it('suspects the address or a firewall when the connection times out or has no route', () => {
    expect(unreachableSentence({ target: '10.0.0.1:5432', why: 'timed-out' }, 'gh_net')).toBe(
      'The app timed out connecting to `10.0.0.1:5432`: is the address right and on `gh_net` (run-network), with no firewall in between?'
    )
    expect(unreachableSentence({ target: '10.0.0.1:5432', why: 'no-route' }, '')).toMatch(/^The app has no route to `10\.0\.0\.1:5432`: .*default bridge/)
  })

  it('says localhost is the container itself', () => {
    expect(unreachableSentence({ target: '127.0.0.1:6379', why: 'refused' }, '')).toMatch(/localhost is the container itself.*set run-network/)
  })

  it('with run-network: host, says localhost is the host, and that Docker\'s service names do not resolve there', () => {
    const local = unreachableSentence({ target: '127.0.0.1:6379', why: 'refused' }, 'host')
    expect(local).toBe(
      'The app could not reach `127.0.0.1:6379` (connection refused): with run-network: host the container shares the network of the host, so localhost is that host: is the service running there and listening on that port (on localhost, not only on another address)?'
    )
    expect(unreachableSentence(unresolved, 'host')).toBe(
      "The app could not resolve `postgres`: with run-network: host the container shares the network of the host, where the service names of Docker's networks do not resolve: use the address (and published port) the service has from there, or add a host entry with run-add-hosts."
    )
    expect(unreachableSentence(refused, 'host')).not.toContain('(run-network) and listening')
  })

  it('with run-network: container:NAME, localhost is that container; with none, there is no network', () => {
    expect(unreachableSentence({ target: 'localhost:5432', why: 'refused' }, 'container:db')).toBe(
      'The app could not reach `localhost:5432` (connection refused): with run-network: container:db the container shares the network of the container `db`, so localhost is that container: is the service running there and listening on that port (on localhost, not only on another address)?'
    )
    // Docker refuses run-add-hosts beside container:NAME: not offered
    expect(unreachableSentence(unresolved, 'container:db')).not.toContain('run-add-hosts')
    expect(unreachableSentence(refused, 'none')).toBe(
      'The app could not reach `postgres:5432` (connection refused): with run-network: none the container has no network at all; set run-network to the network its services are on.'
    )
  })

  it('cuts the untrusted target short and strips backticks and control characters', () => {
    const s = unreachableSentence({ target: 'a`b\x1b[2J\u0007' + 'x'.repeat(300), why: 'unresolved' }, 'n`et')
    // eslint-disable-next-line no-control-regex -- control characters are what must not be there
    expect(s).not.toMatch(/[\x00-\x1f\x7f]/)
    expect(s).toContain('`ab[2J' + 'x'.repeat(94) + '…`') // 100 characters
    expect(s).toContain('`net`')
  })
})
