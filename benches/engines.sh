#!/usr/bin/env bash
# lakehunt against DuckDB, Polars and the scan floor on generated lakes of 1M, 10M and 100M
# logons. Builds lakehunt (release), puts DuckDB and Polars in a virtual environment of their
# own, caches the lakes, and writes benches/results/engines.{md,json,svg}.
#
#   benches/engines.sh [--sizes 1M,10M,100M] [--runs 5]
#
# LAKEHUNT_BENCH_DIR (default ~/.cache/lakehunt/bench) holds the lakes and the environment.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bench_dir="${LAKEHUNT_BENCH_DIR:-$HOME/.cache/lakehunt/bench}"
venv="$bench_dir/venv"

cargo build --release --quiet --manifest-path "$here/../Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/../Cargo.toml" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/engines/requirements.txt"

exec "$venv/bin/python" "$here/engines/harness.py" \
    --lakehunt "$target_dir/release/lakehunt" --lakes "$bench_dir/lakes" "$@"
