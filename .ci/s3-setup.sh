#!/usr/bin/env bash
# Installs the S3-compatible test server the object-storage tests (tests/s3.rs, and tests/gcs.rs
# for gs://: GCS's XML API, which object_store speaks, is the S3 protocol) start on 127.0.0.1:
# moto's server, from PyPI. Chosen over a Rust server (`cargo install s3s-fs`:
# minutes of compiling on 2 cores) because it installs in seconds where pip's cache or the
# wheel is at hand (measured: 25 s of CPU, ~3 min wall on a loaded shared machine from an
# empty venv; nothing when already installed). Prints where moto_server is; exits non-zero
# when it cannot be installed (CI then fails: PIISCAN_REQUIRE_S3=1).
set -euo pipefail
if command -v moto_server >/dev/null 2>&1; then
    echo "moto_server: $(command -v moto_server) (already installed)"
    exit 0
fi
VENV="${PIISCAN_S3_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/piiscan-moto}"
if [ ! -x "$VENV/bin/moto_server" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
fi
echo "moto_server: $VENV/bin/moto_server"
