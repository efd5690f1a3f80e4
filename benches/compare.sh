#!/usr/bin/env bash
# Compare piiscan with cat and ripgrep on one seeded mixed corpus, in one run.
#
#   benches/compare.sh [CORPUS_DIR] [SIZE_MB]        # defaults: $TMPDIR/piiscan-corpus-1024, 1024
#   RUNS=5 benches/compare.sh ...                    # runs per command (median; default 3)
#   TIMEOUT=300 benches/compare.sh ...               # per-command limit in s (default 600); a run
#                                                    #   that hits it prints as ">300" and is not
#                                                    #   repeated
#   THREADS=2 benches/compare.sh ...                 # piiscan -j (default: nproc)
#   SHAPES=0 benches/compare.sh ...                  # skip the per-shape table (default: on when
#                                                    #   the corpus has 1-20 top-level directories)
#   LONG_LINES=64 benches/compare.sh ...             # also: 64 MB of mysqldump files (1 = 64), the
#                                                    #   same rows in one directory per INSERT line
#                                                    #   length (16 KiB, 64 KiB, 256 KiB, 1 MiB),
#                                                    #   timed per directory: per-byte cost against
#                                                    #   line length
#   SCALING=1 benches/compare.sh ...                 # also: -j1 vs -j2 on 100 MB and the full
#                                                    #   corpus, and RSS vs largest single file
#   FLOOR=0 benches/compare.sh ...                   # skip the floor (needs openssl; on by default)
#
# The corpus (benches/gencorpus.py: NDJSON events, customer and order CSV exports, Java app and
# nginx logs, pg_dump and mysqldump dumps, ticket prose and source files, one top-level directory
# per shape, with realistic PII density and look-alikes) is generated once from a fixed seed and
# reused when the directory exists. The page cache is warmed before timing. The rg commands use
# benches/pii-regexes.txt (18 regexes for the shapes of piiscan's detectors). piiscan runs with
# every built-in detector, validators, field awareness and JSONL output of every finding.
#
# Output: the whole-corpus table (cat, rg variants, piiscan), then the per-shape table (each
# top-level directory timed alone: piiscan JSONL, `rg -c -f`, `rg --json -f`, and rg --json's
# time / piiscan's, so above 1x piiscan is faster) with the whole-corpus row, then the optional
# sections. Needs: a release build (cargo build --release), rg, GNU time (/usr/bin/time),
# timeout (coreutils), python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
size_mb=${2:-1024}
corpus=${1:-${TMPDIR:-/tmp}/piiscan-corpus-$size_mb}
runs=${RUNS:-3}
limit=${TIMEOUT:-600}
threads=${THREADS:-$(nproc)}
piiscan=${PIISCAN:-$root/target/release/piiscan}
regexes=$here/pii-regexes.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in rg python3 /usr/bin/time timeout; do
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
# A run killed at $limit seconds records ">$limit" and ends the series (the rest would too).
declare -A secs rss
time_cmd() {
  local name=$1; shift
  local t=() m=0 rc s k
  for _ in $(seq "$runs"); do
    rc=0
    /usr/bin/time -f '%e %M' -o "$work/time" timeout -k 10 "$limit" "$@" >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      echo "compare.sh: killed after ${limit} s: $*" >&2
      secs[$name]=">$limit"; rss[$name]=0
      return
    fi
    # rg exits 1 for "no match", piiscan 1 for "findings": both are success here.
    [ "$rc" -le 1 ] || { echo "compare.sh: $name failed ($rc):" >&2; cat "$work/err" >&2; exit 2; }
    read -r s k < <(tail -n 1 "$work/time")
    t+=("$s"); [ "$k" -gt "$m" ] && m=$k
  done
  secs[$name]=$(median "${t[@]}")
  rss[$name]=$m
}

# secs_or_limit NAME : seconds for arithmetic (a timed-out ">T" counts as T).
secs_or_limit() { local v=${secs[$1]}; echo "${v#>}"; }

pii="piiscan scan --format jsonl"
row() { # NAME
  awk -v n="$1" -v s="${secs[$1]}" -v k="${rss[$1]}" -v b="$bytes" -v p="${secs[$pii]:-0}" '
    BEGIN { out = (s ~ /^>/); t = out ? substr(s, 2) + 0 : s + 0; q = p; pout = (q ~ /^>/); q = pout ? substr(q, 2) + 0 : q + 0
            r = (q > 0) ? sprintf("%s%.3g×", (pout && !out) ? "<" : (out && !pout) ? ">" : "", t / q) : "-"
            v = (t > 0) ? b / t / 1e6 : 0
            mbs = (v > 0) ? sprintf("%s" (v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2g"), out ? "<" : "", v) : "-"
            printf "| %-37s | %8s | %9s | %6s | %10s |\n", n, out ? s : sprintf("%.2f", t), mbs,
                   out ? "-" : sprintf("%.0f", k / 1024), r }'
}

echo "warming the page cache..." >&2
find "$corpus" -type f -exec cat {} + >/dev/null

echo "timing (median of $runs)..." >&2
rm -f "$work/findings.jsonl"
time_cmd "piiscan scan --format jsonl" "$piiscan" scan -j"$threads" --format jsonl -o "$work/findings.jsonl" "$corpus"
findings=$( [ -f "$work/findings.jsonl" ] && wc -l <"$work/findings.jsonl" || echo "-")
time_cmd "cat" sh -c "find '$corpus' -type f -exec cat {} + >/dev/null"
time_cmd "rg absent literal" rg -c zzqqxxyy-absent "$corpus"
time_cmd "rg -c -f pii-regexes.txt" rg -c -f "$regexes" "$corpus"
time_cmd "rg --no-unicode -c -f pii-regexes.txt" rg --no-unicode -c -f "$regexes" "$corpus"
time_cmd "rg --json -f pii-regexes.txt" rg --json -f "$regexes" "$corpus"

echo
echo "corpus: $corpus — $files files, $((bytes / 1000000)) MB; piiscan findings: $findings"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(rg --version | sed -n 1p); piiscan $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| command                               | median s |      MB/s | RSS MB | vs piiscan |"
echo "|---------------------------------------|----------|-----------|--------|------------|"
for n in "cat" "rg absent literal" "rg -c -f pii-regexes.txt" "rg --no-unicode -c -f pii-regexes.txt" \
  "rg --json -f pii-regexes.txt" "piiscan scan --format jsonl"; do
  row "$n"
done
echo
echo "(vs piiscan = that command's time / piiscan's time: above 1× means piiscan is faster; piiscan -j$threads)"

# shape_table DIR LABEL WHOLE : each top-level directory of DIR timed alone, then DIR as a whole
# in a row named WHOLE (reusing the whole-corpus timings above when DIR is the corpus).
shape_table() {
  local dir=$1 label=$2 whole=$3 d sb sf sn
  local -a names=()
  for d in "$dir"/*/; do [ -d "$d" ] && names+=("$(basename "$d")"); done
  echo "timing ${#names[@]} shapes of $dir (median of $runs)..." >&2
  echo
  echo "| $label | MB | files | findings | piiscan -j$threads s | rg -c -f s | rg --json -f s | piiscan MB/s | piiscan vs rg --json |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for d in "${names[@]}" "*"; do
    local target=$dir/$d name=$d strong=""
    if [ "$d" = "*" ]; then
      target=$dir; name=$whole; strong="**"
    fi
    sb=$(find "$target" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}')
    sf=$(find "$target" -type f | wc -l)
    if [ "$d" = "*" ] && [ "$dir" = "$corpus" ]; then
      secs[s.pii]=${secs[$pii]}; secs[s.rgc]=${secs[rg -c -f pii-regexes.txt]}; secs[s.rgj]=${secs[rg --json -f pii-regexes.txt]}
      sn=$findings
    else
      rm -f "$work/shape.jsonl"
      time_cmd s.pii "$piiscan" scan -j"$threads" --format jsonl -o "$work/shape.jsonl" "$target"
      sn=$( [ -f "$work/shape.jsonl" ] && wc -l <"$work/shape.jsonl" || echo "-")
      rm -f "$work/shape.jsonl"
      time_cmd s.rgc rg -c -f "$regexes" "$target"
      time_cmd s.rgj rg --json -f "$regexes" "$target"
    fi
    awk -v n="$strong$name$strong" -v b="$sb" -v f="$sf" -v c="$sn" -v p="${secs[s.pii]}" -v rc="${secs[s.rgc]}" \
      -v rj="${secs[s.rgj]}" '
      function num(v) { return (v ~ /^>/) ? substr(v, 2) + 0 : v + 0 }
      function fmt(v) { return (v ~ /^>/) ? v : sprintf("%.2f", v) }
      BEGIN {
        po = (p ~ /^>/); jo = (rj ~ /^>/)
        ratio = (num(p) > 0) ? sprintf("%s%.3g×", (po && !jo) ? ">" : (jo && !po) ? "<" : "", num(rj) / num(p)) : "-"
        if (po && jo) ratio = "?"
        v = (num(p) > 0) ? b / 1e6 / num(p) : 0
        mbs = (v > 0) ? sprintf("%s" (v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2g"), po ? "<" : "", v) : "-"
        printf "| %s | " (b < 1e8 ? "%.1f" : "%.0f") " | %d | %s | %s | %s | %s | %s | %s |\n", n, b / 1e6, f, c, fmt(p), fmt(rc),
               fmt(rj), mbs, ratio
      }'
  done
  echo
  echo "(piiscan vs rg --json = rg --json's time / piiscan's: above 1× piiscan is faster; \">T\" = killed at T s)"
}

nshapes=$(find "$corpus" -mindepth 1 -maxdepth 1 -type d | wc -l)
if [ "${SHAPES:-auto}" = 1 ] || { [ "${SHAPES:-auto}" = auto ] && [ "$nshapes" -ge 1 ] && [ "$nshapes" -le 20 ]; }; then
  shape_table "$corpus" "shape" "whole corpus"
fi

if [ -n "${LONG_LINES:-}" ] && [ "${LONG_LINES}" != 0 ]; then
  long_mb=$LONG_LINES
  [ "$long_mb" = 1 ] && long_mb=64  # LONG_LINES=1 reads as "on", like SCALING=1
  long="$corpus-longlines-$long_mb"
  if [ ! -d "$long" ]; then
    echo "generating ${long_mb} MB of mysqldump files by INSERT line length in $long..." >&2
    python3 "$here/gencorpus.py" "$long" "$long_mb" --long-lines
  fi
  find "$long" -type f -exec cat {} + >/dev/null
  echo
  echo "per-byte cost against line length (the same rows, cut into INSERT lines of each length):"
  shape_table "$long" "INSERT line length" "all lengths"
fi

# The floor: two pieces of work any scanner with this product's requirements must do, timed on
# this machine, against the CPU the issue's targets leave on the machine's cores. See the
# README's "Why the dense targets cannot be met" for how to read it.
if [ "${FLOOR:-1}" = 1 ]; then
  if [ ! -f "$work/findings.jsonl" ]; then
    echo "floor: skipped (the whole-corpus piiscan run did not finish)"
  elif command -v openssl >/dev/null; then
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
      -v b="$bytes" -v c="$(nproc)" -v rgc="$(secs_or_limit "rg -c -f pii-regexes.txt")" \
      -v rgj="$(secs_or_limit "rg --json -f pii-regexes.txt")" 'BEGIN {
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
        'BEGIN { if (s ~ /^>/) printf "| %s | %d | %s | - | - |\n", d, j, s
                 else printf "| %s | %d | %.2f | %.0f | %.0f |\n", d, j, s, b / s / 1e6, k / 1024 }'
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
      'BEGIN { if (s ~ /^>/) printf "| %d | %s | - | - |\n", m, s
               else printf "| %d | %.2f | %.0f | %.0f |\n", m, s, m * 1.048576 / s, k / 1024 }'
    rm -rf "$one"
  done
fi
