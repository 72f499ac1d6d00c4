#!/usr/bin/env bash
# Headless Neovim end-to-end test for the authlint language server.
#
#   editors/neovim/test/run.sh              # against $AUTHLINT_BIN (default: <repo>/target/debug/authlint)
#   editors/neovim/test/run.sh --self-test  # against test/fake_server.py (checks the harness itself)
#
# Environment: NVIM (the nvim to run, default `nvim`), AUTHLINT_BIN,
# AUTHLINT_TEST_TIMEOUT_MS (per wait, default 20000).
# Exit status: 0 all passed, 1 a test failed, 2 setup problem (no nvim, no server).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nvim_dir=$(dirname "$here")
repo=$(cd "$nvim_dir/../.." && pwd)
NVIM=${NVIM:-nvim}

if [[ ${1:-} == "--self-test" ]]; then
  bin="$here/fake_server.py"
else
  bin=${AUTHLINT_BIN:-$repo/target/debug/authlint}
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac

if ! command -v "$NVIM" >/dev/null 2>&1; then
  echo "run.sh: $NVIM not found (set NVIM=/path/to/nvim)" >&2
  exit 2
fi
if [[ ! -x $bin ]]; then
  echo "run.sh: server executable $bin not found or not executable (build it with cargo build, or set AUTHLINT_BIN)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/authlint-nvim-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A private Neovim home: no user config, and lsp.log lands here.
export XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" \
  XDG_STATE_HOME="$work/xdg/state" XDG_CACHE_HOME="$work/xdg/cache"
export AUTHLINT_BIN="$bin" AUTHLINT_NVIM_DIR="$nvim_dir" AUTHLINT_TEST_WORK="$work"

echo "run.sh: $("$NVIM" --version | head -n1) ($(command -v "$NVIM")) against $bin"
status=0
timeout 300 "$NVIM" --headless -u NONE -i NONE -n \
  -c "luafile $here/authlint_test.lua" </dev/null || status=$?

if [[ $status -ne 0 ]]; then
  echo "run.sh: FAILED (exit $status)" >&2
  log=$(find "$work/xdg" -name 'lsp.log' 2>/dev/null | head -n1)
  if [[ -n $log ]]; then
    echo "---- last lines of $log ----" >&2
    tail -n "${AUTHLINT_TEST_LOG_LINES:-40}" "$log" >&2
  fi
  exit 1
fi
