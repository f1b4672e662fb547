#!/usr/bin/env bash
# pnpm pack:sdk [DIR]: the merchant SDK's tarballs (@setlab/protocol, @setlab/runtime,
# @setlab/merchant-server) in DIR (default ./sdk-packs), built first. pnpm pack turns every
# `workspace:*` into the version it names; this checks that none is left, so the tarballs install
# from the npm registry (and each other) alone.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "${1:-sdk-packs}" && cd "${1:-sdk-packs}" && pwd)"
pnpm exec tsc -b
for pkg in protocol runtime merchant-server; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$out" >/dev/null)
done
for t in "$out"/setlab-*.tgz; do
  if tar -xOzf "$t" package/package.json | grep -q '"workspace:'; then
    echo "$t still names a workspace: dependency" >&2
    exit 1
  fi
  echo "$t"
done
