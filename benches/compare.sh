#!/usr/bin/env bash
# Compare piiscan with cat and ripgrep on one seeded mixed corpus, in one run.
#
#   benches/compare.sh [CORPUS_DIR] [SIZE_MB]        # defaults: $TMPDIR/piiscan-corpus-1024, 1024
#   RUNS=5 benches/compare.sh ...                    # runs per command (median; default 3)
#   SCALING=1 benches/compare.sh ...                 # also: -j1 vs -j2 on 100 MB and the full
#                                                    #   corpus, and RSS vs largest single file
#   FLOOR=0 benches/compare.sh ...                   # skip the floor (needs openssl; on by default)
#
# The corpus (benches/gencorpus.py: CSV exports, NDJSON events, SQL dumps, logs, code, with
# realistic PII density and hard negatives) is generated once from a fixed seed and reused when
# the directory exists. The page cache is warmed before timing. Every command reads the same
# directory; the rg commands use benches/pii-regexes.txt (18 regexes equivalent to piiscan's
# detectors). piiscan runs with every built-in detector, validators, field awareness and JSONL
# output of every finding. Needs: a release build (cargo build --release), rg, GNU time
# (/usr/bin/time), python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
size_mb=${2:-1024}
corpus=${1:-${TMPDIR:-/tmp}/piiscan-corpus-$size_mb}
runs=${RUNS:-3}
piiscan=${PIISCAN:-$root/target/release/piiscan}
regexes=$here/pii-regexes.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in rg python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool not found" >&2; exit 2; }
done
[ -x "$piiscan" ] || { echo "compare.sh: build first: cargo build --release" >&2; exit 2; }

if [ ! -d "$corpus" ]; then
  echo "generating ${size_mb} MB corpus in $corpus (seed 42)..." >&2
  python3 "$here/gencorpus.py" "$corpus" "$size_mb"
fi
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}')
files=$(find "$corpus" -type f | wc -l)

# median VALUES... : the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# time_cmd NAME CMD... : runs CMD $runs times, records median wall seconds and max RSS (KB).
declare -A secs rss
time_cmd() {
  local name=$1; shift
  local t=() m=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
      rc=$?
      # rg exits 1 for "no match", piiscan 1 for "findings": both are success here.
      [ "$rc" -eq 1 ] || { echo "compare.sh: $name failed ($rc):" >&2; cat "$work/err" >&2; exit 2; }
    }
    read -r s k < <(tail -n 1 "$work/time")
    t+=("$s"); [ "$k" -gt "$m" ] && m=$k
  done
  secs[$name]=$(median "${t[@]}")
  rss[$name]=$m
}

pii="piiscan scan --format jsonl"
row() { # NAME
  awk -v n="$1" -v s="${secs[$1]}" -v k="${rss[$1]}" -v b="$bytes" -v p="${secs[$pii]:-0}" \
    'BEGIN { r = (p > 0) ? sprintf("%.3g×", s / p) : "-";
             printf "| %-37s | %8.2f | %9.0f | %6.0f | %10s |\n", n, s, b / s / 1e6, k / 1024, r }'
}

echo "warming the page cache..." >&2
find "$corpus" -type f -exec cat {} + >/dev/null

echo "timing (median of $runs)..." >&2
time_cmd "piiscan scan --format jsonl" "$piiscan" scan --format jsonl -o "$work/findings.jsonl" "$corpus"
findings=$(wc -l <"$work/findings.jsonl")
time_cmd "cat" sh -c "find '$corpus' -type f -exec cat {} + >/dev/null"
time_cmd "rg absent literal" rg -c zzqqxxyy-absent "$corpus"
time_cmd "rg -c -f pii-regexes.txt" rg -c -f "$regexes" "$corpus"
time_cmd "rg --no-unicode -c -f pii-regexes.txt" rg --no-unicode -c -f "$regexes" "$corpus"
time_cmd "rg --json -f pii-regexes.txt" rg --json -f "$regexes" "$corpus"

echo
echo "corpus: $corpus — $files files, $((bytes / 1000000)) MB; piiscan findings: $findings"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(rg --version | head -n 1); piiscan $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| command                               | median s |      MB/s | RSS MB | vs piiscan |"
echo "|---------------------------------------|----------|-----------|--------|------------|"
for n in "cat" "rg absent literal" "rg -c -f pii-regexes.txt" "rg --no-unicode -c -f pii-regexes.txt" \
  "rg --json -f pii-regexes.txt" "piiscan scan --format jsonl"; do
  row "$n"
done
echo
echo "(vs piiscan = that command's time / piiscan's time: above 1× means piiscan is faster)"

# The floor: two pieces of work any scanner with this product's requirements must do, timed on
# this machine, against the CPU the issue's targets leave on the machine's cores. See the
# README's "Why the dense targets cannot be met" for how to read it.
if [ "${FLOOR:-1}" = 1 ]; then
  if command -v openssl >/dev/null; then
    distinct=$(python3 - "$work/findings.jsonl" <<'PY'
import json, sys
seen = set()
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        if "fingerprint" in d:
            seen.add((d.get("kind"), d["fingerprint"]))
print(len(seen))
PY
)
    jsonl_bytes=$(wc -c <"$work/findings.jsonl")
    # CPU time (user + system), not wall: waiting on writeback of dirty pages is not work.
    wt=()
    for _ in $(seq "$runs"); do
      /usr/bin/time -f '%U %S' -o "$work/time" sh -c "cat '$work/findings.jsonl' > '$work/copy.jsonl'"
      wt+=("$(awk '{print $1 + $2}' "$work/time")")
      rm -f "$work/copy.jsonl"
    done
    secs[write]=$(median "${wt[@]}")
    # SHA-256 throughput on 16 KB blocks, in bytes/s (openssl prints thousands of bytes/s).
    sha=$(openssl speed -evp sha256 -bytes 16384 -seconds 2 2>/dev/null | awk '/^sha256/ {sub("k", "", $2); print $2 * 1000}')
    echo
    echo "floor (keyed fingerprints of the distinct values + writing the JSONL) against the targets' CPU on $(nproc) cores:"
    awk -v n="$findings" -v d="$distinct" -v jb="$jsonl_bytes" -v w="${secs[write]}" -v sha="$sha" \
      -v b="$bytes" -v c="$(nproc)" -v rgc="${secs[rg -c -f pii-regexes.txt]}" \
      -v rgj="${secs[rg --json -f pii-regexes.txt]}" 'BEGIN {
        hmac = d * 128 / sha  # two 64-byte SHA-256 blocks per HMAC of a short value
        printf "| findings | distinct values | JSONL MB | SHA-256 MB/s | HMAC floor CPU s | write CPU s | floor CPU s |\n"
        printf "|---:|---:|---:|---:|---:|---:|---:|\n"
        printf "| %d | %d | %.1f | %.0f | %.3f | %.3f | %.3f |\n", n, d, jb / 1e6, sha / 1e6, hmac, w, hmac + w
        printf "\n| target | wall s allowed | CPU s allowed |\n|---|---:|---:|\n"
        printf "| >= 1 GB/s | %.3f | %.3f |\n", b / 1e9, c * b / 1e9
        printf "| >= 2.4x faster than rg -c -f | %.3f | %.3f |\n", rgc / 2.4, c * rgc / 2.4
        printf "| >= 7x faster than rg --json -f | %.3f | %.3f |\n", rgj / 7, c * rgj / 7
      }'
  else
    echo "floor: skipped (openssl not found)"
  fi
fi

if [ "${SCALING:-0}" = 1 ]; then
  echo
  echo "scaling (median of $runs):"
  small="$corpus-100"
  [ -d "$small" ] || python3 "$here/gencorpus.py" "$small" 100
  find "$small" -type f -exec cat {} + >/dev/null
  echo "| corpus | threads | median s | MB/s | RSS MB |"
  echo "|--------|---------|----------|------|--------|"
  for dir in "$small" "$corpus"; do
    b=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}')
    for j in 1 2; do
      time_cmd "j$j" "$piiscan" scan -j"$j" --format jsonl -o "$work/f.jsonl" "$dir"
      awk -v d="$((b / 1000000)) MB" -v j="$j" -v s="${secs[j$j]}" -v k="${rss[j$j]}" -v b="$b" \
        'BEGIN { printf "| %s | %d | %.2f | %.0f | %.0f |\n", d, j, s, b / s / 1e6, k / 1024 }'
    done
  done
  echo
  echo "RSS vs largest single file (one SQL dump, -j2):"
  echo "| file MB | median s | MB/s | RSS MB |"
  echo "|---------|----------|------|--------|"
  for mb in 16 64 256; do
    one="$work/one-$mb"
    python3 "$here/gencorpus.py" "$one" 0 --one-file "$mb"
    cat "$one"/* >/dev/null
    time_cmd "one" "$piiscan" scan --format jsonl -o "$work/f.jsonl" "$one"
    awk -v m="$mb" -v s="${secs[one]}" -v k="${rss[one]}" \
      'BEGIN { printf "| %d | %.2f | %.0f | %.0f |\n", m, s, m * 1.048576 / s, k / 1024 }'
    rm -rf "$one"
  done
fi
