#!/usr/bin/env bash
# Build an offline stand-in for php:8.2-apache with `docker import`: Debian bookworm's apache2 and
# libapache2-mod-php8.2 laid out as the official image runs them:
#   - `apache2-foreground` (/usr/local/bin): reads Debian's envvars, makes the run, lock and log
#     directories, and execs `apache2 -DFOREGROUND`, so apache2 is PID 1; the prefork MPM (mod_php
#     needs it), workers as www-data (33), logs to stdout/stderr, .php files run by mod_php;
#   - /usr/sbin/apache2ctl as Debian ships it (a shell script: as PID 1 it passes no signal on);
#   - $PHP_INI_DIR (/usr/local/etc/php) pointing at Debian's apache2 php config;
#   - docker-php-entrypoint as ENTRYPOINT, STOPSIGNAL SIGWINCH (apache's graceful stop), EXPOSE 80,
#     WORKDIR /var/www/html, CMD ["apache2-foreground"];
#   - like the official image, a C toolchain (gcc, make, libc6-dev: phpize's) and curl.
# Usage: scripts/php-apache-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=php:8.2-apache
DESCRIPTION='image-gate offline stand-in for php:8.2-apache (Debian apache2 + mod_php 8.2)'
PACKAGES=(apache2 libapache2-mod-php8.2 php8.2-cli gcc make libc6-dev curl)
CHANGES=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV PHP_INI_DIR=/usr/local/etc/php'
  'ENV PHP_VERSION=8.2'
  'ENV APACHE_CONFDIR=/etc/apache2'
  'ENV APACHE_ENVVARS=/etc/apache2/envvars'
  'ENTRYPOINT ["docker-php-entrypoint"]'
  'WORKDIR /var/www/html'
  'STOPSIGNAL SIGWINCH'
  'EXPOSE 80'
  'CMD ["apache2-foreground"]'
)
customize() {
  local a=$root/etc/apache2 dir
  # mod_php runs only under prefork (Debian's postinst switched to it; made sure here)
  chroot "$root" a2dismod -q mpm_event >/dev/null 2>&1 || true
  chroot "$root" a2enmod -q mpm_prefork php8.2 >/dev/null
  # the official image: the run, lock and log directories world-writable, logs to the container's.
  # (/var/run and /var/lock are absolute symlinks to /run: followed from here they would be the host's)
  for dir in /run/apache2 /run/lock/apache2 /var/log/apache2; do
    mkdir -p "$root$dir"
    chown 33:33 "$root$dir"
    chmod 1777 "$root$dir"
  done
  ln -sfT /dev/stderr "$root/var/log/apache2/error.log"
  ln -sfT /dev/stdout "$root/var/log/apache2/access.log"
  ln -sfT /dev/stdout "$root/var/log/apache2/other_vhosts_access.log"
  cat >"$a/conf-available/docker-php.conf" <<'CONF'
<FilesMatch \.php$>
	SetHandler application/x-httpd-php
</FilesMatch>

DirectoryIndex disabled
DirectoryIndex index.php index.html

<Directory /var/www/>
	Options -Indexes
	AllowOverride All
</Directory>
CONF
  chroot "$root" a2enconf -q docker-php >/dev/null
  php_layout apache2
  put_script /usr/local/bin/apache2-foreground <<'SH'
#!/bin/bash
# Runs apache2 in the foreground as PID 1 (apache2ctl would stay a shell around it).
set -e
: "${APACHE_CONFDIR:=/etc/apache2}"
: "${APACHE_ENVVARS:=$APACHE_CONFDIR/envvars}"
if test -f "$APACHE_ENVVARS"; then
	. "$APACHE_ENVVARS"
fi
# apache refuses to start over a pid file left by an earlier run
: "${APACHE_RUN_DIR:=/var/run/apache2}"
: "${APACHE_PID_FILE:=$APACHE_RUN_DIR/apache2.pid}"
rm -f "$APACHE_PID_FILE"
# the directories envvars names (APACHE_RUN_DIR, APACHE_LOCK_DIR, APACHE_LOG_DIR)
for e in "${!APACHE_@}"; do
	if [[ "$e" == *_DIR ]] && [[ "${!e}" == /* ]]; then
		mkdir -p "$(readlink -m "${!e}")" # through symlinks (/var/lock is /run/lock)
	fi
done
exec apache2 -DFOREGROUND "$@"
SH
  docker_php_entrypoint apache2-foreground
}
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
