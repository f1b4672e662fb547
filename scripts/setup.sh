#!/usr/bin/env bash
# Prepares a fresh machine that has only Node 20 and npm: pnpm, the independent oracles the tests
# run (OpenSSL, libtasn1's asn1Decoding), keyctl (keyutils) for the mediator's kept card-link bond,
# and the workspace's dependencies.
#
# Each step runs quietly; when one fails, its name, exit code and the end of its output are
# printed (for example the compiler's error when better-sqlite3's native build cannot find the
# Node headers), and setup stops with that exit code.
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp "${TMPDIR:-/tmp}/setlab-setup.XXXXXX")"
trap 'rm -f "$log"' EXIT

# step "what it does" command...: run quietly, or say what failed and show why.
step() {
  local what="$1"
  shift
  if "$@" >"$log" 2>&1; then
    return 0
  else
    local rc=$?
    {
      echo "setup: FAILED: $what (exit code $rc): $*"
      echo "setup: its last 60 lines of output:"
      tail -n 60 "$log" | sed 's/^/  | /'
    } >&2
    exit "$rc"
  fi
}

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.34.9" ]; then
  echo "setup: installing pnpm 10.34.9"
  step "install pnpm with npm" npm i -g pnpm@10.34.9
fi

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v asn1Decoding >/dev/null 2>&1 || missing+=(libtasn1-bin)
# keyctl: the mediator keeps its card-link bond in the Linux kernel keyring (docs/card-link.md)
command -v keyctl >/dev/null 2>&1 || missing+=(keyutils)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "setup: installing Debian packages: ${missing[*]}"
  if ! "${sudo[@]}" apt-get install -y "${missing[@]}" >"$log" 2>&1; then
    step "update the apt package lists" "${sudo[@]}" apt-get update
    step "install ${missing[*]} with apt-get" "${sudo[@]}" apt-get install -y "${missing[@]}"
  fi
fi

export TURBO_TELEMETRY_DISABLED=1
# append-only: plain lines a log can hold, including a failing build script's own output.
step "install the workspace (pnpm install --frozen-lockfile)" pnpm install --frozen-lockfile --reporter=append-only
echo "setup: done"
