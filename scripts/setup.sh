#!/usr/bin/env bash
# Installs the Debian 12 packages the engine needs to build, test and run. Idempotent: it
# does nothing when every package is already installed. Needs root (or sudo).
set -euo pipefail
PACKAGES=(cmake ninja-build pkg-config g++ python3
  libboost1.81-dev libboost-test1.81-dev libsoci-dev libsqlite3-dev sqlite3 libpq-dev
  postgresql libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libsodium-dev libcurl4-openssl-dev libcpp-httplib-dev python3-aiosmtpd nginx openssl
  clang-14 libclang-rt-14-dev dpkg-dev file)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
