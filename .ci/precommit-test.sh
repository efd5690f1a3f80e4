#!/usr/bin/env bash
# Runs the real pre-commit tool (from PyPI) against temporary git repositories using piiscan's
# hooks, and fails (non-zero exit) unless a commit staging PII is blocked and a clean one passes.
#
#   .ci/precommit-test.sh            both variants below
#   PIISCAN_PRECOMMIT_RUST=0 ...     skip variant 2 (it builds piiscan in release mode: minutes)
#   PIISCAN_BIN=path ...             variant 1 runs this binary instead of building one
#   PIISCAN_PRECOMMIT_TARGET_DIR=dir variant 2's cargo install builds there
#
# Variant 1 — `repo: local`, `language: system`: the hook runs the piiscan binary built here.
# Variant 2 — `repo: <this checkout>`, `rev: <HEAD sha>`, `language: rust` from
#   .pre-commit-hooks.yaml: pre-commit clones the committed HEAD and `cargo install`s it, exactly
#   as a user's pre-commit would. It tests what is *committed*, not the working tree, and needs
#   crates.io (or a warm cargo cache) for the build.
#
# Needs: python3 (with venv), git, cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() {
    echo "precommit-test: FAIL: $*" >&2
    exit 1
}

BIN=${PIISCAN_BIN:-}
if [ -z "$BIN" ]; then
    echo "== building piiscan"
    cargo build --quiet --bin piiscan
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/piiscan"
fi

echo "== installing pre-commit from PyPI into a venv"
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
PRE_COMMIT="$TMP/venv/bin/pre-commit"
"$PRE_COMMIT" --version

export PRE_COMMIT_HOME="$TMP/pre-commit-home"
export GIT_AUTHOR_NAME=piiscan-ci GIT_AUTHOR_EMAIL=ci@invalid
export GIT_COMMITTER_NAME=piiscan-ci GIT_COMMITTER_EMAIL=ci@invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
# Fake data: a reserved-domain email and a published test card number.
PII_EMAIL="olivia.testperson@example.com"
PII_CARD="4111 1111 1111 1111"

# make_repo DIR CONFIG_YAML: a fresh repository with the config committed.
make_repo() {
    local dir=$1
    mkdir -p "$dir"
    git -C "$dir" init -q -b main
    printf '%s\n' "$2" >"$dir/.pre-commit-config.yaml"
    git -C "$dir" add .pre-commit-config.yaml
    git -C "$dir" commit -q -m config
}

# expect_run DIR WANT LABEL: `pre-commit run` on what is staged; WANT is pass or fail.
expect_run() {
    local dir=$1 want=$2 label=$3 out code=0
    out=$(cd "$dir" && "$PRE_COMMIT" run 2>&1) || code=$?
    echo "$out" | sed 's/^/    | /'
    LAST_OUT=$out
    if echo "$out" | grep -qF -e "$PII_EMAIL" -e "$PII_CARD"; then
        fail "$label: hook output contains a raw value"
    fi
    case $want in
        pass) [ "$code" -eq 0 ] || fail "$label: expected the hook to pass, exit $code" ;;
        fail) [ "$code" -ne 0 ] || fail "$label: expected the hook to fail, exit 0" ;;
    esac
    echo "  ok: $label ($want)"
}

# exercise DIR HOOK_ID: clean staged file passes; staged PII fails; a real commit is blocked.
exercise() {
    local dir=$1 label=$2
    printf 'Build notes.\nNothing personal here.\n' >"$dir/notes.txt"
    git -C "$dir" add notes.txt
    expect_run "$dir" pass "$label: clean file staged"
    git -C "$dir" commit -q -m clean
    printf 'Ticket 4471\nCustomer email: %s\nPaid with card %s\n' "$PII_EMAIL" "$PII_CARD" \
        >"$dir/ticket.txt"
    git -C "$dir" add ticket.txt
    expect_run "$dir" fail "$label: file with PII staged"
    # Under pre-commit (it sets PRE_COMMIT=1) the hook lists lines and says how to accept them.
    for want in "ticket.txt:2:17 email " "ticket.txt:3:16 credit_card " "piiscan:allow"; do
        echo "$LAST_OUT" | grep -qF -- "$want" || fail "$label: no \"$want\" in the hook's output"
    done
    echo "  ok: $label: lines listed"
    # Installed as a git hook, it blocks the commit itself.
    (cd "$dir" && "$PRE_COMMIT" install >/dev/null)
    if git -C "$dir" commit -q -m pii >/dev/null 2>&1; then
        fail "$label: git commit with PII succeeded"
    fi
    echo "  ok: $label: git commit with PII blocked"
    # Suppressed on its line, it passes.
    printf 'Customer email: %s  # piiscan:allow\n' "$PII_EMAIL" >"$dir/ticket.txt"
    git -C "$dir" add ticket.txt
    expect_run "$dir" pass "$label: PII marked piiscan:allow"
}

echo "== variant 1: repo: local, language: system"
for hook in piiscan piiscan-added-lines; do
    case $hook in
        piiscan) entry="$BIN scan --quiet" ;;
        *) entry="$BIN scan --quiet --staged" ;;
    esac
    make_repo "$TMP/local-$hook" "repos:
  - repo: local
    hooks:
      - id: $hook
        name: $hook
        entry: $entry
        language: system
        pass_filenames: true
        require_serial: true"
    exercise "$TMP/local-$hook" "local/$hook"
done

if [ "${PIISCAN_PRECOMMIT_RUST:-1}" = 0 ]; then
    echo "== variant 2 skipped (PIISCAN_PRECOMMIT_RUST=0)"
    exit 0
fi
echo "== variant 2: repo: $ROOT, language: rust (cargo install of the committed HEAD)"
REV=$(git rev-parse HEAD)
git cat-file -e "$REV:.pre-commit-hooks.yaml" 2>/dev/null ||
    fail "HEAD ($REV) has no .pre-commit-hooks.yaml; commit it first"
# Its own target directory (reused across runs) unless the caller names one: .ci/run passes its
# own, where the same release-profile settings have already built every dependency, so the
# install compiles only piiscan. build.rs reads CARGO_MANIFEST_DIR at run time, so sharing one
# across checkouts is safe.
export CARGO_TARGET_DIR="${PIISCAN_PRECOMMIT_TARGET_DIR:-$ROOT/target/precommit-install}"
make_repo "$TMP/rust" "repos:
  - repo: $ROOT
    rev: $REV
    hooks:
      - id: piiscan"
(cd "$TMP/rust" && "$PRE_COMMIT" install-hooks) || fail "pre-commit could not build the rust hook"
exercise "$TMP/rust" "rust/piiscan"
echo "precommit-test: all passed"
