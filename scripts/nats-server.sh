#!/usr/bin/env bash
# Obtains nats-server >= 2.10 (auth callout) without touching the machine's packages: Debian 12 ships 2.9,
# which rejects auth_callout, while Debian 13's package runs on Debian 12 (libc >= 2.34 only). A private apt
# configuration (own sources list and state directory) reads trixie from the mirror the machine already
# uses; `apt-get download` + `dpkg -x` unpack it into .cache/nats-server/. Idempotent; prints the binary.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/nats-server"
bin="$cache/root/usr/sbin/nats-server"

usable() {
  local version
  version="$("$1" --version 2>/dev/null | sed -n 's/.*v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')" || return 1
  [ -n "$version" ] || return 1
  set -- $version
  [ "$1" -gt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -ge 10 ]; }
}

if [ -n "${NATS_SERVER_BIN:-}" ]; then
  usable "$NATS_SERVER_BIN" || { echo "NATS_SERVER_BIN=$NATS_SERVER_BIN is not nats-server >= 2.10" >&2; exit 1; }
  echo "$NATS_SERVER_BIN"
  exit 0
fi
if [ -x "$bin" ] && usable "$bin"; then
  echo "$bin"
  exit 0
fi

# The Debian mirror the machine's own sources name (deb822 or one-line format); deb.debian.org otherwise.
mirror="$(
  cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }'
)"
if [ -z "$mirror" ]; then
  mirror="$(
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) { print $i; exit } }'
  )"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || { echo "cannot read $keyring: install debian-archive-keyring" >&2; exit 1; }

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sources.list.d" "$cache/download"
echo "deb [signed-by=$keyring] $mirror trixie main" >"$apt_dir/sources.list"
: >"$apt_dir/status"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State=$apt_dir"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::Archives=$apt_dir/archives"
  -o "APT::Sandbox::User=$(id -un)"
  -o "Debug::NoLocking=1"
)
echo "fetching nats-server from $mirror trixie (private apt state in $apt_dir)" >&2
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$cache/download" && rm -f nats-server_*.deb && apt-get "${apt_opts[@]}" -qq download nats-server >&2)
rm -rf "$cache/root"
dpkg -x "$cache/download"/nats-server_*.deb "$cache/root"
usable "$bin" || { echo "the unpacked $bin does not run as nats-server >= 2.10" >&2; exit 1; }
echo "$bin"
