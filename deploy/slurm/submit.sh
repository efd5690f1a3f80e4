#!/bin/sh
# Submits a sharded piiscan scan of PATH and its merge:
#   ./submit.sh /shared/exports [REPORTS]
# The array size is piiscan-scan.sbatch's `--array` (override: SBATCH_ARRAY_INX=0-63 ./submit.sh …).
set -eu
here=$(dirname "$0")
jid=$(sbatch --parsable "$here/piiscan-scan.sbatch" "$@")
jid=${jid%%;*}
sbatch --dependency=afterok:"$jid" "$here/piiscan-merge.sbatch" "${2:-}"
echo "scan: array job $jid; merge starts when every task is done"
