import { ASKERS } from '../report/probe-schema.js'

// What a port speaks, asked from inside the container with a program the image has (docker exec
// in exec form: the script is constant, the port its one argument), so a probe that fits the port
// is suggested: php-fpm's :9000 speaks FastCGI, where an HTTP probe can never pass, and a raw TCP
// port (an Erlang proxy) answers no HTTP request. Each asker does the same three steps and prints
// what came back, as hex, for answerOf() to judge here (pure, so each reply is tested as servers
// really send it):
//   1. `GET /health HTTP/1.0` (no Host header, as the bash probe sends it): a reply that starts
//      "HTTP/" is an HTTP server, with the status /health answered;
//   2. when /health did not answer 2xx or 3xx, `GET /` (a static site answers there);
//   3. when it is not HTTP, a FastCGI FCGI_GET_VALUES record (the spec's management request,
//      section 4.1): a FastCGI server answers FCGI_GET_VALUES_RESULT (type 10); php-fpm closes an
//      HTTP request at once, so this costs nothing there.
// Each reply is read for up to 2 s (a raw server that waits for its own protocol says nothing), so
// asking costs milliseconds on an HTTP or FastCGI port and about 4 s on a silent one, only when
// advice is due.

// The programs that can ask (ASKERS) are listed once, in the report's schema (report/probe-schema.ts).
export type Asker = (typeof ASKERS)[number]

export type Protocol = 'http' | 'fastcgi' | 'other' | 'silent' | 'closed'

export interface PortAnswer {
  protocol: Protocol
  /** http: the status GET /health answered, and GET / when /health did not pass */
  healthStatus?: number
  rootStatus?: number
}

// One line per step: "health <hex>", "root <hex>", "fcgi <hex>"; instead of hex, "closed" (the
// connection was refused), "eof" (closed with nothing sent), "timeout" (nothing within 2 s),
// "error" (could not connect otherwise).

const PYTHON = String.raw`import socket,sys
P=int(sys.argv[1])
def ask(b,n=12):
    try:
        s=socket.create_connection(('127.0.0.1',P),2)
    except ConnectionRefusedError:
        return 'closed'
    except OSError:
        return 'error'
    s.settimeout(2)
    r=b''
    try:
        s.sendall(b)
        while len(r)<n:
            d=s.recv(64)
            if not d:
                break
            r+=d
    except socket.timeout:
        if not r:
            return 'timeout'
    except OSError:
        pass
    s.close()
    return r[:64].hex() if r else 'eof'
G=lambda p:('GET '+p+' HTTP/1.0\r\n\r\n').encode()
h=ask(G('/health'))
print('health',h)
if h.startswith('485454502f'):
    if h[18:20] not in ('32','33'):
        print('root',ask(G('/')))
elif h not in ('closed','error'):
    print('fcgi',ask(b'\x01\x09'+bytes(6),8))
`

const NODE = String.raw`const net=require('net'),P=+process.argv[1]
const ask=(b,n=12)=>new Promise(done=>{let r=Buffer.alloc(0)
const s=net.connect(P,'127.0.0.1')
const end=w=>{clearTimeout(t);s.destroy();done(r.length?r.subarray(0,64).toString('hex'):w)}
const t=setTimeout(()=>end('timeout'),2000)
s.on('connect',()=>s.write(b))
s.on('data',d=>{r=Buffer.concat([r,d]);if(r.length>=n)end('')})
s.on('end',()=>end('eof'))
s.on('error',e=>end(e.code==='ECONNREFUSED'?'closed':'eof'))})
const G=p=>Buffer.from('GET '+p+' HTTP/1.0\r\n\r\n')
;(async()=>{const h=await ask(G('/health'))
console.log('health',h)
if(h.startsWith('485454502f')){if(!['32','33'].includes(h.slice(18,20)))console.log('root',await ask(G('/')))}
else if(h!=='closed'&&h!=='error')console.log('fcgi',await ask(Buffer.from([1,9,0,0,0,0,0,0]),8))})()
`

const PHP = String.raw`function ask($p,$b,$n=12){$s=@stream_socket_client("tcp://127.0.0.1:$p",$en,$es,2);
if(!$s)return $en==111?'closed':'error';
stream_set_timeout($s,2);fwrite($s,$b);$r='';
while(strlen($r)<$n){$d=fread($s,64);if($d===false||$d===''){
if(stream_get_meta_data($s)['timed_out']&&$r==='')return 'timeout';break;}$r.=$d;}
fclose($s);return $r===''?'eof':bin2hex(substr($r,0,64));}
$p=(int)$argv[1];$g=function($u){return "GET $u HTTP/1.0\r\n\r\n";};
$h=ask($p,$g('/health'));echo "health $h\n";
if(substr($h,0,10)==='485454502f'){if(!in_array(substr($h,18,2),['32','33']))echo 'root ',ask($p,$g('/')),"\n";}
elseif($h!=='closed'&&$h!=='error')echo 'fcgi ',ask($p,"\x01\x09\0\0\0\0\0\0",8),"\n";
`

const RUBY = String.raw`require "socket"
def ask(p,b,n=12)
  begin
    s=Socket.tcp("127.0.0.1",p,connect_timeout: 2)
  rescue Errno::ECONNREFUSED
    return "closed"
  rescue StandardError
    return "error"
  end
  r="".b
  w="eof"
  begin
    s.write(b)
    while r.size<n
      if IO.select([s],nil,nil,2).nil?
        w="timeout"
        break
      end
      r<<s.readpartial(64)
    end
  rescue EOFError, SystemCallError
  end
  s.close
  r.empty? ? w : r[0,64].unpack1("H*")
end
p=ARGV[0].to_i
g=->(u){"GET #{u} HTTP/1.0\r\n\r\n"}
h=ask(p,g.("/health"))
puts "health #{h}"
if h.start_with?("485454502f")
  puts "root #{ask(p,g.("/"))}" unless %w[32 33].include?(h[18,2])
elsif !%w[closed error].include?(h)
  puts "fcgi #{ask(p,"\x01\x09\0\0\0\0\0\0".b,8)}"
end
`

// bash: /dev/tcp, one byte at a time (read -d '' takes a NUL as an empty byte, EOF as a failure)
const BASH = String.raw`export LC_ALL=C
exec 2>/dev/null
ask(){ exec 3<>"/dev/tcp/127.0.0.1/$P" 2>/dev/null || { echo closed; return; }
  printf "$1" >&3
  local h= c s t=2 n=0
  local want=$2; [ -n "$want" ] || want=12
  while [ $n -lt $want ]; do
    IFS= read -r -d '' -n 1 -t $t c <&3; s=$?
    if [ $s -gt 128 ]; then [ -z "$h" ] && h=timeout; break; fi
    if [ $s -ne 0 ] && [ -z "$c" ]; then break; fi
    if [ -z "$c" ]; then h+=00; else printf -v c %02x "'$c"; h+=$c; fi
    n=$((n+1)); t=1
  done
  exec 3<&-
  [ -n "$h" ] || h=eof
  echo "$h"
}
P=$1
h=$(ask 'GET /health HTTP/1.0\r\n\r\n')
echo "health $h"
case $h in
  485454502f????????3[23]*) ;;
  485454502f*) echo "root $(ask 'GET / HTTP/1.0\r\n\r\n')" ;;
  closed|error) ;;
  *) echo "fcgi $(ask '\x01\x09\x00\x00\x00\x00\x00\x00' 8)" ;;
esac
`

/** The docker exec argument list (after the container's name) that asks `port` with `tool`. */
export function askArgv(tool: Asker, port: number): string[] {
  const p = String(port)
  switch (tool) {
    case 'python3':
    case 'python':
      return [tool, '-c', PYTHON, p]
    case 'node':
      return ['node', '-e', NODE, p]
    case 'php':
      return ['php', '-r', PHP, p]
    case 'ruby':
      return ['ruby', '-e', RUBY, p]
    case 'bash':
      return ['bash', '-c', BASH, 'ask', p]
  }
}

const HTTP = /^HTTP\/\d(?:\.\d)? (\d{3})\b/

/** The bytes of one step's hex, or the word the asker printed instead. */
function reply(word: string | undefined): Buffer | 'closed' | 'eof' | 'timeout' | 'error' | undefined {
  if (word === undefined) return undefined
  if (word === 'closed' || word === 'eof' || word === 'timeout' || word === 'error') return word
  return /^(?:[0-9a-f]{2})+$/.test(word) ? Buffer.from(word, 'hex') : undefined
}

function status(bytes: Buffer | string | undefined): number | undefined {
  const m = Buffer.isBuffer(bytes) ? HTTP.exec(bytes.toString('latin1')) : null
  return m ? Number(m[1]) : undefined
}

/** What the port speaks, from an asker's output; undefined when the asker did not run or could not connect. */
export function answerOf(output: string): PortAnswer | undefined {
  const lines = new Map<string, string>()
  for (const line of output.split('\n')) {
    const m = /^(health|root|fcgi) (\S+)\s*$/.exec(line)
    if (m && !lines.has(m[1])) lines.set(m[1], m[2])
  }
  const health = reply(lines.get('health'))
  if (health === undefined || health === 'error') return undefined
  if (health === 'closed') return { protocol: 'closed' }
  const healthStatus = status(health)
  if (healthStatus !== undefined) {
    const rootStatus = status(reply(lines.get('root')))
    return { protocol: 'http', healthStatus, ...(rootStatus !== undefined && { rootStatus }) }
  }
  const fcgi = reply(lines.get('fcgi'))
  // FCGI_VERSION_1, FCGI_GET_VALUES_RESULT
  if (Buffer.isBuffer(fcgi) && fcgi[0] === 1 && fcgi[1] === 10) return { protocol: 'fastcgi' }
  return { protocol: Buffer.isBuffer(health) || Buffer.isBuffer(fcgi) ? 'other' : 'silent' }
}
