#!/usr/bin/env bash
# Installs the Debian 12 packages the engine needs to build, test and run. Idempotent: it
# does nothing when every package is already installed. Needs root (or sudo).
set -euo pipefail
PACKAGES=(cmake ninja-build pkg-config g++ python3
  libboost1.81-dev libboost-test1.81-dev libsoci-dev libsqlite3-dev sqlite3 libpq-dev
  postgresql libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libsodium-dev libcurl4-openssl-dev libcpp-httplib-dev python3-aiosmtpd nginx openssl
  clang-14 libclang-rt-14-dev dpkg-dev file chromium
  libqrencode-dev libpng-dev libcairo2-dev fonts-dejavu-core zbar-tools poppler-utils
  libxlsxwriter-dev python3-openpyxl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The web application (docs/web.md) needs node (20 or later) and npm. A node that is already
# there (nodesource's nodejs bundles npm) is kept: Debian's npm package would replace it.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
