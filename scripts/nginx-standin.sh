#!/usr/bin/env bash
# Build an offline stand-in for nginx:1.22 with `docker import`: Debian bookworm's nginx 1.22 with the
# official image's configuration and accounts:
#   - nginx.conf as the official one: `user nginx;` (an account 101:101, as there), the master as
#     root and the workers as 101, logs to stdout/stderr, servers from /etc/nginx/conf.d, whose
#     default.conf serves /usr/share/nginx/html on port 80;
#   - Debian's compiled-in paths otherwise: its temp paths under /var/lib/nginx stay root's, so the
#     image run as 101 fails as the issue reports (mkdir() "/var/lib/nginx/body" failed (13: ...));
#   - /docker-entrypoint.sh as ENTRYPOINT (runs /docker-entrypoint.d/*.sh, then execs the command),
#     STOPSIGNAL SIGQUIT (nginx's graceful stop), EXPOSE 80, CMD ["nginx","-g","daemon off;"];
#   - curl, as the official image has.
# Usage: scripts/nginx-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=nginx:1.22
DESCRIPTION='image-gate offline stand-in for nginx:1.22 (Debian nginx 1.22)'
PACKAGES=(nginx curl)
CHANGES=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV NGINX_VERSION=1.22.1'
  'ENTRYPOINT ["/docker-entrypoint.sh"]'
  'STOPSIGNAL SIGQUIT'
  'EXPOSE 80'
  'CMD ["nginx", "-g", "daemon off;"]'
)
customize() {
  local n=$root/etc/nginx
  chroot "$root" groupadd --system --gid 101 nginx
  chroot "$root" useradd --system --gid nginx --no-create-home --home /nonexistent --comment 'nginx user' --shell /bin/false --uid 101 nginx
  cat >"$n/nginx.conf" <<'CONF'
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    access_log    /var/log/nginx/access.log;
    sendfile      on;
    keepalive_timeout  65;
    include /etc/nginx/conf.d/*.conf;
}
CONF
  mkdir -p "$n/conf.d"
  cat >"$n/conf.d/default.conf" <<'CONF'
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
}
CONF
  rm -f "$n/sites-enabled/default"
  mkdir -p "$root/var/log/nginx" "$root/docker-entrypoint.d"
  ln -sfT /dev/stdout "$root/var/log/nginx/access.log"
  ln -sfT /dev/stderr "$root/var/log/nginx/error.log"
  put_script /docker-entrypoint.sh <<'SH'
#!/bin/sh
# Runs the image's /docker-entrypoint.d/*.sh before nginx, then becomes the command (exec: PID 1).
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    for f in /docker-entrypoint.d/*.sh; do
        [ -x "$f" ] || continue
        echo "$0: running $f"
        "$f"
    done
fi
exec "$@"
SH
}
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
