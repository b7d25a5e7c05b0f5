#!/usr/bin/env bash
# Build an offline stand-in for the image node:18-alpine with `docker import`.
#
# The examples under examples/ start `FROM node:18-alpine`, like real projects do. Where no registry
# is reachable (the sandbox, air-gapped CI) nothing can be pulled, so this assembles a small rootfs
# from what the host already has and imports it under that tag, so those Dockerfiles build verbatim:
#   - static busybox with applet symlinks (sh, wget for HEALTHCHECKs, ...),
#   - the host's node at /usr/local/bin/node plus the shared libraries ldd lists (incl. the loader),
#   - npm at /usr/local/lib/node_modules/npm with npm/npx symlinks, as the real image lays it out,
#   - dumb-init, the root and node (1000:1000) accounts of the real image,
#   - shell stand-ins for Alpine's adduser/addgroup (Debian's busybox lacks them) and for apk
#     (which only "installs" packages whose command is already in the image: nothing is downloaded).
# NODE_VERSION in the image is the host's node version, not 18: it is a stand-in, not a copy.
#
# Usage: scripts/node-standin.sh [--force]
#   Does nothing when an image node:18-alpine already exists (real or stand-in); --force rebuilds.
set -euo pipefail

TAG=node:18-alpine
DESCRIPTION='image-gate offline stand-in for node:18-alpine (busybox + host node)'

. "$(dirname "$0")/standin-lib.sh"
# Idempotent: an existing image (a real pulled one, or ours from an earlier run) is left alone.
standin_start "$@"

# --- inputs from the host ---------------------------------------------------------------------
command -v ldd >/dev/null 2>&1 || die "ldd not found; it is needed to collect node's shared libraries"

dumb_init=$(command -v dumb-init 2>/dev/null || true)
[ -n "$dumb_init" ] && [ -f "$dumb_init" ] && [ -x "$dumb_init" ] ||
  die "dumb-init not found (Debian: apt-get install -y dumb-init)"

node_bin=$(command -v node 2>/dev/null || true)
[ -n "$node_bin" ] && [ -x "$node_bin" ] || die "node not found on PATH"
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" -p 'process.versions.node')

# npm's package dir, found from its cli script (works for /usr/lib, /usr/local/lib and toolcache layouts).
npm_cli=$(readlink -f "$(command -v npm 2>/dev/null || echo /nonexistent)")
case "$npm_cli" in
  */bin/npm-cli.js) npm_dir=${npm_cli%/bin/npm-cli.js} ;;
  *) npm_dir=$(dirname "$node_bin")/../lib/node_modules/npm ;;
esac
[ -f "$npm_dir/bin/npm-cli.js" ] && [ -f "$npm_dir/bin/npx-cli.js" ] || die "npm package dir not found (looked at $npm_dir)"
npm_dir=$(readlink -f "$npm_dir")

# --- rootfs (standin_start made $root with the usual top-level folders) ----------------------
mkdir -p "$root/home/node" "$root/usr/local/lib/node_modules"
install_busybox
[ -e "$root/sbin/nologin" ] || ln -s /bin/busybox "$root/sbin/nologin"

copy_with_libs "$node_bin" /usr/local/bin/node
copy_with_libs "$dumb_init" /usr/bin/dumb-init
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# Accounts as in the real image: root, node 1000:1000 with home /home/node.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
node:x:1000:1000:Linux User,,,:/home/node:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
nogroup:x:65533:
nobody:x:65534:
node:x:1000:node
EOF
printf '/bin/sh\n/bin/ash\n' >"$root/etc/shells"
# node and dumb-init are glibc programs: make name lookups read /etc/hosts before DNS.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
cat >"$root/etc/os-release" <<EOF
NAME="image-gate offline stand-in"
ID=image-gate-standin
ID_LIKE=alpine
VERSION_ID=18
PRETTY_NAME="$DESCRIPTION, node $node_version"
EOF

# adduser/addgroup stand-ins (one script, dispatching on its name), Alpine busybox syntax.
cat >"$root/usr/sbin/adduser" <<'EOF'
#!/bin/sh
# image-gate offline stand-in for Alpine's busybox adduser/addgroup (Debian's busybox has neither).
#   addgroup [-g GID] [-S] GROUP            addgroup USER GROUP   (add USER to GROUP)
#   adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GROUP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER
#   adduser USER GROUP                      (add USER to GROUP)
# Options may follow the name (adduser -S nodejs -u 1001 -G nodejs); long forms are accepted too.
me=${0##*/}
PASSWD=/etc/passwd
GROUPF=/etc/group
die() { echo "$me (image-gate offline stand-in): $*" >&2; exit 1; }

valid_name() { case $1 in '' | [!a-zA-Z_]* | *[!a-zA-Z0-9_.-]*) return 1 ;; esac; [ ${#1} -le 32 ]; }
valid_id() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -le 4294967294 ]; }
has_entry() { awk -F: -v k="$3" -v c="$2" '$c == k { f = 1 } END { exit !f }' "$1"; } # file col key
free_id() { # file first last
  awk -F: -v lo="$2" -v hi="$3" '{ used[$3 + 0] = 1 }
    END { for (i = lo; i <= hi; i++) if (!(i in used)) { print i; exit 0 } exit 1 }' "$1" ||
    die "no free id between $2 and $3 in $1"
}
gid_of() { # group name or numeric gid -> gid
  if valid_id "$1"; then has_entry "$GROUPF" 3 "$1" || die "group with gid $1 does not exist"; echo "$1"
  else has_entry "$GROUPF" 1 "$1" || die "group '$1' does not exist"
    awk -F: -v k="$1" '$1 == k { print $3; exit }' "$GROUPF"; fi
}
add_member() { # user group
  has_entry "$PASSWD" 1 "$1" || die "user '$1' does not exist"
  has_entry "$GROUPF" 1 "$2" || die "group '$2' does not exist"
  awk -F: -v OFS=: -v u="$1" -v g="$2" '$1 == g && index("," $4 ",", "," u ",") == 0 {
      $4 = ($4 == "" ? u : $4 "," u) } { print }' "$GROUPF" >"$GROUPF.new" &&
    cat "$GROUPF.new" >"$GROUPF" && rm -f "$GROUPF.new" || die "cannot update $GROUPF"
}

# Option parsing like busybox getopt32: short clusters (-SDH), attached values (-u1001),
# --long and --long=value, options before or after the names.
optchars= ; valchars= ; pos=
opt() { eval "opt_$1=\$2"; }
parse() {
  while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
      --) for p; do pos="$pos $p"; valid_name "$p" || die "invalid name '$p'"; done; return ;;
      --*)
        l=${a#--}; v=; hv=
        case $l in *=*) v=${l#*=}; l=${l%%=*}; hv=1 ;; esac
        c=$(long_to_short "$l") || die "unknown option --$l"
        case $valchars in *"$c"*)
          if [ -z "$hv" ]; then [ $# -gt 0 ] || die "option --$l needs a value"; v=$1; shift; fi
          opt "$c" "$v" ;;
        *) [ -z "$hv" ] || die "option --$l takes no value"; opt "$c" 1 ;;
        esac ;;
      -?*)
        s=${a#-}
        while [ -n "$s" ]; do
          c=${s%"${s#?}"}; s=${s#?}
          case $optchars in *"$c"*) ;; *) die "unknown option -$c" ;; esac
          case $valchars in *"$c"*)
            if [ -n "$s" ]; then v=$s; s=; else [ $# -gt 0 ] || die "option -$c needs a value"; v=$1; shift; fi
            opt "$c" "$v" ;;
          *) opt "$c" 1 ;;
          esac
        done ;;
      *) valid_name "$a" || die "invalid name '$a'"; pos="$pos $a" ;;
    esac
  done
}

case $me in
addgroup)
  optchars=gS valchars=g
  long_to_short() { case $1 in gid) echo g ;; system) echo S ;; *) return 1 ;; esac; }
  parse "$@"
  set -- $pos
  case $# in
    2) [ -z "$opt_g$opt_S" ] || die "options cannot be combined with 'addgroup USER GROUP'"
       add_member "$1" "$2"; exit 0 ;;
    1) ;;
    *) die "usage: addgroup [-g GID] [-S] GROUP | addgroup USER GROUP" ;;
  esac
  has_entry "$GROUPF" 1 "$1" && die "group '$1' already exists"
  if [ -n "$opt_g" ]; then
    valid_id "$opt_g" || die "invalid gid '$opt_g'"
    has_entry "$GROUPF" 3 "$opt_g" && die "gid $opt_g is already in use"
    gid=$opt_g
  elif [ -n "$opt_S" ]; then gid=$(free_id "$GROUPF" 100 999) || exit 1
  else gid=$(free_id "$GROUPF" 1000 64999) || exit 1; fi
  echo "$1:x:$gid:" >>"$GROUPF" || die "cannot write $GROUPF"
  ;;
adduser)
  optchars=hgsGSDHuk valchars=hgsGuk
  long_to_short() {
    case $1 in home) echo h ;; gecos) echo g ;; shell) echo s ;; ingroup) echo G ;; system) echo S ;;
      disabled-password | empty-password) echo D ;; no-create-home) echo H ;; uid) echo u ;;
      skel) echo k ;; *) return 1 ;; esac
  }
  parse "$@"
  set -- $pos
  case $# in
    2) [ -z "$opt_h$opt_g$opt_s$opt_G$opt_S$opt_D$opt_H$opt_u$opt_k" ] ||
         die "options cannot be combined with 'adduser USER GROUP'"
       add_member "$1" "$2"; exit 0 ;;
    1) ;;
    *) die "usage: adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GROUP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER" ;;
  esac
  user=$1
  has_entry "$PASSWD" 1 "$user" && die "user '$user' already exists"
  if [ -n "$opt_u" ]; then
    valid_id "$opt_u" || die "invalid uid '$opt_u'"
    has_entry "$PASSWD" 3 "$opt_u" && die "uid $opt_u is already in use"
    uid=$opt_u
  elif [ -n "$opt_S" ]; then uid=$(free_id "$PASSWD" 100 999) || exit 1
  else uid=$(free_id "$PASSWD" 1000 64999) || exit 1; fi
  newgroup=
  if [ -n "$opt_G" ]; then gid=$(gid_of "$opt_G") || exit 1
  elif [ -n "$opt_S" ]; then gid=$(gid_of nogroup) || exit 1 # busybox: system users default to nogroup
  else # busybox: a group named like the user, with gid = uid when that is free
    has_entry "$GROUPF" 1 "$user" && die "group '$user' already exists (use -G $user to join it)"
    if has_entry "$GROUPF" 3 "$uid"; then gid=$(free_id "$GROUPF" 1000 64999) || exit 1; else gid=$uid; fi
    newgroup=1
  fi
  home=${opt_h:-/home/$user}
  case $home in /*) ;; *) die "home directory must be an absolute path: '$home'" ;; esac
  if [ -n "$opt_s" ]; then shell=$opt_s; elif [ -n "$opt_S" ]; then shell=/sbin/nologin; else shell=/bin/sh; fi
  gecos=${opt_g:-Linux User,,,}
  case "$gecos$home$shell" in *:* | *"
"*) die "GECOS, home and shell may not contain ':' or newlines" ;; esac
  if [ -n "$newgroup" ]; then echo "$user:x:$gid:" >>"$GROUPF" || die "cannot write $GROUPF"; fi
  echo "$user:x:$uid:$gid:$gecos:$home:$shell" >>"$PASSWD" || die "cannot write $PASSWD"
  [ -z "$opt_G" ] || add_member "$user" "$(awk -F: -v g="$gid" '$3 == g { print $1; exit }' "$GROUPF")"
  if [ -z "$opt_H" ]; then
    mkdir -p "$home" || die "cannot create home directory $home"
    if [ -n "$opt_k" ]; then [ -d "$opt_k" ] || die "skeleton directory $opt_k not found"; cp -a "$opt_k/." "$home/"; fi
    chown -R "$uid:$gid" "$home" && chmod 755 "$home" || die "cannot set owner of $home"
  fi
  ;;
*) die "unknown command name (expected adduser or addgroup)" ;;
esac
EOF
chmod 755 "$root/usr/sbin/adduser"
ln -s adduser "$root/usr/sbin/addgroup"

# apk stand-in: nothing can be downloaded, so `apk add` only succeeds for packages already present.
cat >"$root/sbin/apk" <<'EOF'
#!/bin/sh
# image-gate offline stand-in for Alpine's apk. Nothing is downloaded: `apk add` succeeds only when
# every named package's command is already in the image; update/upgrade are no-ops.
say() { echo "apk (image-gate offline stand-in): $*"; }
die() { echo "apk (image-gate offline stand-in): $*" >&2; exit 1; }
where() { # path of an executable on PATH (busybox sh's `command -v` names applets without a path)
  _ifs=$IFS; IFS=:
  for d in $PATH; do if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then IFS=$_ifs; echo "$d/$1"; return 0; fi; done
  IFS=$_ifs; return 1
}
command_of() { # package name -> the command that shows it is present
  case $1 in
    nodejs | nodejs-current) echo node ;;
    busybox | busybox-binsh | alpine-baselayout) echo busybox ;;
    *) echo "$1" ;;
  esac
}
# global options, also accepted before the subcommand (apk --no-cache add ...)
while :; do
  case $1 in
    --no-cache | -U | --update-cache | -q | --quiet | -v | --verbose | --no-progress) shift ;;
    *) break ;;
  esac
done
sub=$1
[ $# -gt 0 ] && shift
case $sub in
  update) say "no package index offline; 'apk update' does nothing"; exit 0 ;;
  upgrade) say "no packages can be downloaded offline; 'apk upgrade' does nothing"; exit 0 ;;
  add) ;;
  '') die "usage: apk add [--no-cache] [--virtual NAME] PACKAGE... | apk update | apk upgrade" ;;
  *) die "'apk $sub' is not supported (only add, update, upgrade)" ;;
esac
pkgs=
while [ $# -gt 0 ]; do
  case $1 in
    --virtual | -t) [ $# -ge 2 ] || die "option $1 needs a name"; shift 2 ;;
    --virtual=*) shift ;;
    --no-cache | -U | --update-cache | -u | --upgrade | -q | --quiet | -v | --verbose | --no-progress) shift ;;
    -*) die "unsupported option $1" ;;
    *) pkgs="$pkgs ${1%%[=~<>@]*}"; shift ;;
  esac
done
[ -n "$pkgs" ] || die "apk add: no packages named"
for p in $pkgs; do
  c=$(command_of "$p")
  where "$c" >/dev/null || die "package $p is not available offline"
done
for p in $pkgs; do say "$p is already in the image ($(where "$(command_of "$p")"))"; done
EOF
chmod 755 "$root/sbin/apk"

# --- import ------------------------------------------------------------------------------------
# Ownership is set in the tar itself (root everywhere, node's home 1000:1000), so this works without
# root on the host too: everything but /home/node first, then /home/node appended.
tarball=$tmp/rootfs.tar
tar -C "$root" --numeric-owner --owner=0 --group=0 --anchored --exclude=./home/node -cf "$tarball" .
tar -C "$root" --numeric-owner --owner=1000 --group=1000 -rf "$tarball" ./home/node

old_id=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
log "importing $(du -sh "$tarball" | cut -f1) rootfs as $TAG (node $node_version from $node_bin)"
new_id=$(docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'ENV NPM_CONFIG_OFFLINE=true NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false' \
  --change "LABEL org.opencontainers.image.description=\"$DESCRIPTION\"" \
  --change 'CMD ["node"]' \
  "$tarball" "$TAG")

# With --force, drop the image this replaced if nothing else uses it (best effort).
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
log "built $TAG: $new_id ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
