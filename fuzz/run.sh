#!/usr/bin/env bash
# Runs every piiscan fuzz target for SECS seconds (default 600) on a stable toolchain, one after
# another, and prints one summary line per target. Usage: fuzz/run.sh [SECS] [TARGET...]
# cargo-fuzz passes -Z flags to rustc (sanitizer, coverage); RUSTC_BOOTSTRAP=1 lets stable accept them.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(decode csv json sql formats engine archive workbook)
export RUSTC_BOOTSTRAP=1
[ -d corpus ] || python3 make_seeds.py
cargo fuzz build -O || exit 1
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  max_len=4096
  case $t in archive|decode|workbook) max_len=65536 ;; esac
  # The binary is run directly (what `cargo fuzz run -O` runs), so a source change made while the
  # targets run one after another does not trigger a rebuild between them.
  mkdir -p "artifacts/$t"
  "target/x86_64-unknown-linux-gnu/release/$t" -artifact_prefix="artifacts/$t/" "corpus/$t" \
    -max_total_time="$secs" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 >"logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -a -m1 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}')
  echo "$t: exit $rc, ${secs}s, ${execs:-?} execs, $(ls "artifacts/$t" 2>/dev/null | wc -l) artifacts"
done
