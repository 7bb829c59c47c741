# Shared helpers for the ops scripts. Source it; do not run it.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# Colour only on a terminal, so logs and CI output stay plain text.
if [ -t 2 ]; then _C_LOG='\033[1;34m' _C_ERR='\033[1;31m' _C_OFF='\033[0m'; else _C_LOG='' _C_ERR='' _C_OFF=''; fi
log() { printf "${_C_LOG}==>${_C_OFF} %s\n" "$*" >&2; }
die() { printf "${_C_ERR}error:${_C_OFF} %s\n" "$*" >&2; exit 1; }
# positive OPTION VALUE: ends the script unless VALUE is a positive whole number (for option parsing).
positive() { [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number (was '${2:-}')"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_install PKG...: installs the Debian packages that are missing, idempotently and without questions.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer before it asks.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update -qq >/dev/null || true
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# median: of the numbers on stdin, one per line (the mean of the middle two for an even count).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
