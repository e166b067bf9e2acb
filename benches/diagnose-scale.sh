#!/usr/bin/env bash
# Whole-process cost of `diagnose` and `status` on generated snapshots of 1,000, 10,000 and
# 50,000 pods (YAML and JSON, as `kubectl get -o yaml|json` prints them): wall time and peak
# RSS from `/usr/bin/time -v`, printed as a table.
#
# usage: benches/diagnose-scale.sh
#   TODO_AI_BIN=PATH          the binary to measure (default: build target/release/todo-ai)
#   TODO_AI_BENCH_DIR=DIR     where the snapshots are (generated there when missing;
#                             default: target/diagnose-scale)
#   TODO_AI_BENCH_SIZES=1000,10000,50000   pod counts
#   TODO_AI_BENCH_RUNS=3      runs per cell (the fastest is reported, with its peak RSS)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sizes="${TODO_AI_BENCH_SIZES:-1000,10000,50000}"
runs="${TODO_AI_BENCH_RUNS:-3}"
dir="${TODO_AI_BENCH_DIR:-$root/target/diagnose-scale}"

if [[ ! -x /usr/bin/time ]]; then
    echo "error: /usr/bin/time is missing" >&2
    echo "hint: install it with \`apt-get install time\`" >&2
    exit 2
fi

bin="${TODO_AI_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --quiet
    bin="$root/target/release/todo-ai"
fi

missing=0
IFS=, read -ra counts <<<"$sizes"
for pods in "${counts[@]}"; do
    for format in yaml json; do
        [[ -s "$dir/pods-$pods.$format" ]] || missing=1
    done
done
if [[ "$missing" == 1 ]]; then
    echo "generating snapshots in $dir (sizes $sizes)" >&2
    TODO_AI_BENCH_GENERATE="$dir" TODO_AI_BENCH_SIZES="$sizes" cargo bench --quiet --bench diagnose >&2
fi

# The largest snapshots pass the default 256 MiB limit; this measures, it does not limit.
export TODO_AI_SNAPSHOT_MAX_BYTES=4G
export NO_COLOR=1

# Prints "seconds peak_mib exit" of the fastest of $runs runs of "$@".
measure() {
    local best="" best_rss="" code=0 out
    for ((run = 0; run < runs; run++)); do
        out="$(/usr/bin/time -v "$@" 2>&1 >/dev/null)" || code=$?
        local wall rss
        wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' <<<"$out")"
        rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' <<<"$out")"
        # h:mm:ss or m:ss.ss → seconds
        wall="$(awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$wall")"
        if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best="$wall"
            best_rss="$rss"
        fi
    done
    awk -v s="$best" -v r="$best_rss" -v c="$code" 'BEGIN { printf "%.2f %.0f %d\n", s, r / 1024, c }'
}

printf '%-8s %-6s %-10s %10s %10s %6s\n' "pods" "format" "command" "wall (s)" "peak (MiB)" "exit"
for pods in "${counts[@]}"; do
    for format in yaml json; do
        file="$dir/pods-$pods.$format"
        for command in diagnose status; do
            if [[ "$command" == diagnose ]]; then
                set -- "$bin" diagnose --snapshot "$file" -n shop --output json --fail-on never
            else
                set -- "$bin" --snapshot "$file" -n shop status
            fi
            read -r wall rss code < <(measure "$@")
            printf '%-8s %-6s %-10s %10s %10s %6s\n' "$pods" "$format" "$command" "$wall" "$rss" "$code"
        done
    done
done
