#!/usr/bin/env bash
# Batch Emacs + eglot end-to-end test for the authlint language server.
#
#   editors/emacs/test/run.sh              # against $AUTHLINT_BIN (default: <repo>/target/debug/authlint)
#   editors/emacs/test/run.sh --self-test  # against editors/neovim/test/fake_server.py
#
# Needs Emacs with eglot (Emacs 29+, or Debian's emacs-nox + elpa-eglot).
# Exit status: 0 all passed, 1 a test failed, 2 setup problem.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
emacs_dir=$(dirname "$here")
repo=$(cd "$emacs_dir/../.." && pwd)
EMACS=${EMACS:-emacs}

if [[ ${1:-} == "--self-test" ]]; then
  bin="$repo/editors/neovim/test/fake_server.py"
else
  bin=${AUTHLINT_BIN:-$repo/target/debug/authlint}
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac

if ! command -v "$EMACS" >/dev/null 2>&1; then
  echo "run.sh: $EMACS not found" >&2
  exit 2
fi
if [[ ! -x $bin ]]; then
  echo "run.sh: server executable $bin not found or not executable (cargo build, or set AUTHLINT_BIN)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/authlint-emacs-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" AUTHLINT_BIN="$bin" AUTHLINT_EMACS_DIR="$emacs_dir" AUTHLINT_TEST_WORK="$work"
mkdir -p "$HOME"

echo "run.sh: $("$EMACS" --version | head -n1) against $bin"
# Debian installs ELPA packages (elpa-eglot) under site-lisp/elpa, activated by package-initialize.
timeout 300 "$EMACS" --batch -Q \
  --eval "(progn (require 'package) (setq package-directory-list (append package-directory-list '(\"/usr/share/emacs/site-lisp/elpa\"))) (package-initialize))" \
  -l "$here/authlint-test.el" </dev/null
