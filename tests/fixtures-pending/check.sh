#!/bin/sh
# Lints every pending fixture and says whether authlint now meets its
# expectation (`.invalid.` = at least one finding of the folder's rule,
# `.valid.` = none). Fix-quality cases (wrong or ugly fixes) can already
# "pass" here: read their header comment and the fixed output instead.
#   tests/fixtures-pending/check.sh [path/to/authlint]
bin=${1:-target/debug/authlint}
dir=$(dirname "$0")
for f in "$dir"/*/*.*; do
  rule=$(basename "$(dirname "$f")")
  [ "$rule" = _shared ] && continue
  n=$("$bin" lint --format json --color never "$f" 2>/dev/null | grep -c "\"rule\": \"$rule\"")
  case "$f" in
    *.invalid.*) if [ "$n" -gt 0 ]; then s=meets; else s=FAILS; fi ;;
    *) if [ "$n" -eq 0 ]; then s=meets; else s=FAILS; fi ;;
  esac
  printf '%-6s %2s  %s\n' "$s" "$n" "$f"
done
