#!/usr/bin/env bash
# Fuzzes lakehunt's KQL parser and translator with cargo fuzz (libFuzzer).
#   fuzz/run.sh [SECONDS] [SEED_DIR...]
# Seeds: a few queries of our own, plus every .kql file in the SEED_DIRs (for example a
# folder of hunting queries). Crashes land in fuzz/artifacts/kql_translate/.
set -euo pipefail
seconds="${1:-300}"
shift || true
# Seed folders are named from where the script is called; make them absolute first.
seeds=()
for dir in "$@"; do
    [ -d "$dir" ] || { echo "fuzz/run.sh: no folder $dir" >&2; exit 1; }
    seeds+=("$(cd "$dir" && pwd)")
done
cd "$(dirname "$0")"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=corpus/kql_translate
mkdir -p "$corpus"
n=0
for query in \
    'DeviceLogonEvents | where ActionType == "LogonSuccess" | summarize count() by DeviceName' \
    'let ips = DeviceNetworkInfo | mv-expand IPAddresses | extend ip = tostring(IPAddresses.IPAddress) | distinct ip; DeviceLogonEvents | where RemoteIP !in (ips)' \
    'datatable(a:long, b:string)[1, "x", 2, "y"] | extend c = a % 3, d = toint(b) | join kind=leftanti (print a = 1) on a' \
    'print x = iff(1 > 2, "a", "b"), y = bin(now(), 1h), z = dynamic({"k": [1, 2]}).k[0]' \
    'datatable(s:string)["a=1;b=\"x;y\""] | parse-kv s as (a:long, b) with (pair_delimiter=";", kv_delimiter="=", quote="\"")' \
    'union withsource=T isfuzzy=true DeviceEvents, (DeviceLogonEvents | take 1) | top-nested 3 of T by n = count(), top-nested 1 of ActionType by max(Timestamp) asc' \
    'let f = (n:long) { range x from 1 to n step 1 }; print d = dynamic({"a": 1}) | extend k = "a" | extend v = d[k], s = substring("abc", -2), b = bag_merge(d, d) | join kind=leftanti f(3) on $left.v == $right.x' \
    'datatable(x:long, d:dynamic)[1, dynamic([1, 2])] | mv-expand with_itemindex=i d limit 3 | summarize percentiles(x, 5, 50), p = percentile(i, 99.5) | sort by p desc | serialize r = row_rank_dense(p)' \
    'print a = set_union(dynamic([1]), dynamic([2])), b = array_split(dynamic([1, 2]), dynamic([1, -1])), c = ipv4_is_match("10.0.0.1/8", "10.1.1.1", 16), d = datetime_part("Nanosecond", now()), e = tohex(binary_xor(6, 3), 4)'; do
    n=$((n + 1))
    printf '%s' "$query" > "$corpus/own-$n.kql"
done
for dir in "${seeds[@]}"; do
    for file in "$dir"/*.kql; do
        [ -e "$file" ] && cp "$file" "$corpus/$(basename "$file")"
    done
done
# cargo fuzz wants nightly; without one, the stable toolchain is let use nightly flags
# (RUSTC_BOOTSTRAP=1) and runs without a sanitizer: a panic, a stack overflow or a hang is
# still caught. The build is kept outside the clone, beside lakehunt's own.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lakehunt/fuzz-target}"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    run=(cargo +nightly fuzz run)
else
    export RUSTC_BOOTSTRAP=1
    run=(cargo fuzz run -s none)
fi
exec "${run[@]}" --release kql_translate "$corpus" -- -max_total_time="$seconds" -max_len=4096 -timeout=10
