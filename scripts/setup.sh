#!/usr/bin/env bash
# Prepares a fresh machine that has only Node 20 and npm: pnpm, the independent oracles the tests
# run (OpenSSL, libtasn1's asn1Decoding), and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.34.9" ]; then
  echo "setup: installing pnpm 10.34.9"
  npm i -g pnpm@10.34.9 >/dev/null
fi

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v asn1Decoding >/dev/null 2>&1 || missing+=(libtasn1-bin)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get install -y "${missing[@]}" >/dev/null 2>&1 || {
    $sudo apt-get update >/dev/null && $sudo apt-get install -y "${missing[@]}" >/dev/null
  }
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent
echo "setup: done"
