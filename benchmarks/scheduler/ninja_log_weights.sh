#!/bin/bash
# Does a Ninja start the unit a seeded .ninja_log says is longest first
# (ninja#2686, the weights ClickHouse#97245 relies on)? Four independent
# edges; the log says `d` took 5000 ms and the others 10 ms; -j1 shows the
# order. With #2686 `d` runs first; without it, the declared order a b c d.
#     bash benchmarks/scheduler/ninja_log_weights.sh [NINJA]   (default: ninja on PATH)
set -e
ninja=${1:-ninja}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
cat > build.ninja <<'NINJA'
rule r
  command = echo $out >> order.txt && touch $out
build a: r
build b: r
build c: r
build d: r
NINJA
"$ninja" -j1 > /dev/null                        # a log with the real command hashes
rm -f a b c d order.txt
awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next } { $1 = 0; $2 = ($4 == "d") ? 5000 : 10; print }' \
  .ninja_log > seeded && mv seeded .ninja_log
"$ninja" -j1 > /dev/null
echo "ninja $("$ninja" --version): order with a seeded log: $(tr '\n' ' ' < order.txt)"
if [ "$(head -1 order.txt)" = d ]; then echo "uses the log's times (ninja#2686)"; else echo "ignores the log's times"; fi
