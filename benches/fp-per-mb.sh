#!/usr/bin/env bash
# False positives on real third-party text: findings per MB per kind, for each directory given.
#
#   benches/fp-per-mb.sh DIR...                       # e.g. /usr/share/perl /usr/include
#   PIISCAN=target/release/piiscan benches/fp-per-mb.sh DIR...   # which binary (default: the
#                                                     #   release build, else the debug one)
#   THREADS=1 benches/fp-per-mb.sh DIR...             # piiscan -j (default: nproc)
#   MIN=low benches/fp-per-mb.sh DIR...               # --min-confidence (default: the CLI's)
#
# Trees nobody wrote for piiscan (the operating system's libraries and headers, the sources cargo
# fetched) hold next to no customer PII, so nearly every finding there is a false positive —
# except the e-mail addresses of real authors in copyright lines, which are listed but left out
# of the "excluding email" rate. One row per directory and kind; bytes are what piiscan scanned
# (binary files skipped).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
tgt=${CARGO_TARGET_DIR:-$here/target}
bin=${PIISCAN:-}
if [ -z "$bin" ]; then
  for b in "$tgt/release/piiscan" "$tgt/debug/piiscan"; do
    [ -x "$b" ] && { bin=$b; break; }
  done
fi
[ -x "${bin:-}" ] || { echo "no piiscan binary (cargo build, or set PIISCAN)" >&2; exit 2; }
args=(scan --format json --no-list -j "${THREADS:-$(nproc)}")
[ -n "${MIN:-}" ] && args+=(--min-confidence "$MIN")
printf '%-40s %9s %-18s %8s %8s\n' directory MB kind findings per_MB
for dir in "$@"; do
  out=$(mktemp)
  # Exit 1 means "findings", 2 "some input unreadable": both still give a report.
  "$bin" "${args[@]}" -o "$out" "$dir" || [ $? -le 2 ]
  jq -r --arg dir "$dir" '
    (.totals.bytes / 1048576) as $mb
    | ([.findings[] | .kind] | group_by(.) | map({k: .[0], n: length})) as $by
    | ($by | map(select(.k != "email")) | map(.n) | add // 0) as $rest
    | ($by[] | [$dir, $mb, .k, .n, (.n / ($mb + 1e-9))]),
      [$dir, $mb, "ALL excl. email", $rest, ($rest / ($mb + 1e-9))]
    | @tsv' "$out" |
    while IFS=$'\t' read -r d mb k n r; do
      printf '%-40s %9.1f %-18s %8d %8.2f\n' "$d" "$mb" "$k" "$n" "$r"
    done
  rm -f "$out"
done
