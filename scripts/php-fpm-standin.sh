#!/usr/bin/env bash
# Build an offline stand-in for php:8.2-fpm with `docker import`: Debian bookworm's php8.2-fpm and
# php8.2-cli laid out as the official image runs them:
#   - `php-fpm` on PATH (/usr/local/sbin, as there), running in the foreground (daemonize = no),
#     the pool listening on 9000 (the official zz-docker.conf), logs to stderr (its docker.conf),
#     the master as root and the workers as www-data (33), no pid file;
#   - /usr/local/etc/php-fpm.conf, /usr/local/etc/php-fpm.d and $PHP_INI_DIR (/usr/local/etc/php,
#     with php.ini-production and php.ini-development) pointing at Debian's, so a Dockerfile's COPY
#     of a pool or php.ini lands where php-fpm reads it;
#   - docker-php-entrypoint as ENTRYPOINT, STOPSIGNAL SIGQUIT, EXPOSE 9000, WORKDIR /var/www/html;
#   - like the official image, a C toolchain (gcc, make, libc6-dev: phpize's) and curl.
# Usage: scripts/php-fpm-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=php:8.2-fpm
DESCRIPTION='image-gate offline stand-in for php:8.2-fpm (Debian php8.2-fpm)'
PACKAGES=(php8.2-fpm php8.2-cli systemd-standalone-tmpfiles gcc make libc6-dev curl)
CHANGES=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV PHP_INI_DIR=/usr/local/etc/php'
  'ENV PHP_VERSION=8.2'
  'ENTRYPOINT ["docker-php-entrypoint"]'
  'WORKDIR /var/www/html'
  'STOPSIGNAL SIGQUIT'
  'EXPOSE 9000'
  'CMD ["php-fpm"]'
)
customize() {
  local fpm=$root/etc/php/8.2/fpm
  # the official php-fpm.conf names no pid file (php-fpm then writes none: USER www-data works)
  sed -i 's|^pid = |;pid = |' "$fpm/php-fpm.conf"
  cat >"$fpm/pool.d/docker.conf" <<'CONF'
[global]
error_log = /proc/self/fd/2
log_limit = 8192

[www]
access.log = /proc/self/fd/2
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
CONF
  cat >"$fpm/pool.d/zz-docker.conf" <<'CONF'
[global]
daemonize = no

[www]
listen = 9000
CONF
  php_layout fpm
  ln -s /usr/sbin/php-fpm8.2 "$root/usr/local/sbin/php-fpm"
  ln -s /etc/php/8.2/fpm/php-fpm.conf "$root/usr/local/etc/php-fpm.conf"
  ln -s /etc/php/8.2/fpm/pool.d "$root/usr/local/etc/php-fpm.d"
  docker_php_entrypoint php-fpm
}
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
