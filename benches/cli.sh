#!/usr/bin/env bash
# Benchmark `authlint lint` against `rg -c 401` and an ast-grep scan with one
# equivalent rule, over a generated corpus. Prints hyperfine's table and peak
# memory. Installs ripgrep, hyperfine (Debian) and @ast-grep/cli (npm) when
# missing.
#
#   benches/cli.sh [FILES] [PERCENT_WITH_401]     # defaults: 5000 files, 5%
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
files=${1:-5000}
pct=${2:-5}
work=${AUTHLINT_BENCH_DIR:-/tmp/authlint-bench}
corpus="$work/corpus"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rg || ! need hyperfine; then
  apt-get update -qq && apt-get install -y -qq ripgrep hyperfine >/dev/null
fi
if [ ! -x "$work/node_modules/.bin/ast-grep" ]; then
  mkdir -p "$work"
  npm install --prefix "$work" --no-audit --no-fund --loglevel=error @ast-grep/cli >/dev/null
fi
astgrep="$work/node_modules/.bin/ast-grep"

cargo build --release --manifest-path "$repo/Cargo.toml" >/dev/null 2>&1
authlint="$repo/target/release/authlint"

# A deterministic corpus: most files are ordinary modules with no 401; every
# (100/pct)th file is a handler with 401 responses, some missing the challenge.
rm -rf "$corpus" && mkdir -p "$corpus"
python3 - "$corpus" "$files" "$pct" <<'PY'
import os, sys
root, n, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
plain = '''import {{ db }} from './db'

export interface Item {{ id: string; name: string; price: number }}

export async function listItems{i}(limit = 20): Promise<Item[]> {{
  const rows = await db.query('select * from items limit $1', [limit])
  return rows.map((r: any) => ({{ id: String(r.id), name: r.name, price: Number(r.price) }}))
}}

export function total{i}(items: Item[]): number {{
  let sum = 0
  for (const item of items) {{
    if (item.price > 0) sum += item.price
  }}
  return Math.round(sum * 100) / 100
}}
'''
handler = '''import {{ corsHeaders }} from './cors'

Deno.serve(async (req) => {{
  const auth = req.headers.get('Authorization')
  if (!auth) {{
    return new Response(JSON.stringify({{ error: 'Missing token' }}), {{
      headers: {{ ...corsHeaders, 'Content-Type': 'application/json' }},
      status: 401,
    }})
  }}
  if (auth === 'Bearer expired-{i}') {{
    console.error('Returning 401 - reason: expired token')
    return new Response('expired', {{ status: 401, headers: {{ 'WWW-Authenticate': 'Bearer error="invalid_token"' }} }})
  }}
  return new Response('ok', {{ headers: corsHeaders }})
}})
'''
os.makedirs(root, exist_ok=True)
open(os.path.join(root, 'cors.ts'), 'w').write("export const corsHeaders = { 'Access-Control-Allow-Origin': '*' }\n")
every = max(1, 100 // max(pct, 1))
for i in range(n):
    d = os.path.join(root, f'm{i // 100:03d}')
    os.makedirs(d, exist_ok=True)
    body = handler if i % every == 0 else plain
    if i % every == 0:
        open(os.path.join(d, 'cors.ts'), 'w').write("export const corsHeaders = { 'Access-Control-Allow-Origin': '*' }\n")
    open(os.path.join(d, f'f{i}.ts'), 'w').write(body.format(i=i))
PY

cat > "$work/rule.yml" <<'YML'
id: require-www-authenticate
language: TypeScript
rule:
  pattern: new Response($$$ARGS)
  has:
    stopBy: end
    kind: pair
    regex: '^status:\s*401'
  not:
    has:
      stopBy: end
      regex: WWW-Authenticate
YML

echo "corpus: $files files, $(rg -l 401 "$corpus" | wc -l) containing 401, $(du -sh "$corpus" | cut -f1)"
echo "findings: authlint $("$authlint" lint "$corpus" --format json --select require-www-authenticate | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["diagnostics"]))' || true)," \
     "ast-grep $("$astgrep" scan --rule "$work/rule.yml" --json "$corpus" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

hyperfine --warmup 2 --runs 10 -i -N \
  -n authlint "$authlint lint $corpus --format json --select require-www-authenticate" \
  -n authlint-all-rules "$authlint lint $corpus --format json" \
  -n "rg -c 401" "rg -c 401 $corpus" \
  -n ast-grep "$astgrep scan --rule $work/rule.yml $corpus"

peak() { /usr/bin/env time -f '%M' "$@" >/dev/null 2>"$work/time.txt" || true; tail -1 "$work/time.txt"; }
if [ -x /usr/bin/time ]; then
  echo "peak RSS (KiB): authlint $(peak "$authlint" lint "$corpus" --format json), rg $(peak rg -c 401 "$corpus"), ast-grep $(peak "$astgrep" scan --rule "$work/rule.yml" "$corpus")"
fi
