#!/usr/bin/env bash
# perf/latency-round.sh: the in-process latency round of the quiet benchmark round (perf/README.md, section 114).
#
#   mvn -B -q -pl perf -am package -DskipTests             (once, from the repository root)
#   perf/latency-round.sh REPORT_DIR                        (12 JVMs of 3 modes each)
#   SECONDS_PER_MODE=1 WARMUP=1 RATES=100000 perf/latency-round.sh /var/tmp/try   (a short try)
#
# LatencyMain (profile=low-latency: busy-spin, the processing thread pinned where a core is free; modes empty,
# tumbling and the raw Disruptor hand-off, open loop, CO-corrected) at 100k, 500k and 1M events/s, under four
# configurations: the window's firing slice (results a closing window emits per event) 64 or 16, and a processing
# thread's turn (-Dsluice.engine.partition.batch.limit) 1,024 or 256 events. Each rate runs the four configurations one
# after the other, each in a JVM of its own, so that they meet the same minutes of the machine (an A/B/C/D in turn,
# the raw hand-off the same-run floor of each). Each run writes its output to
# REPORT_DIR/latency-<rate>-slice<S>-turn<T>.log and its .hgrm files and plot under REPORT_DIR/latency-<UTC time>/;
# REPORT_DIR/summary.txt collects every RESULT line with its configuration and the load average before each run.
#
# Environment: RATES (comma-separated, default 100000,500000,1000000), SECONDS_PER_MODE (measured seconds per mode,
# default 3), WARMUP (warm-up seconds per mode, default 2), SLICES (default "64 16"), TURNS (default "1024 256"),
# JAVA (default java).
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 REPORT_DIR" >&2; exit 2; }
out=$1
root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$root/perf/target/benchmarks.jar
options=$root/perf/target/classes/sluice-jvm.options
[[ -f $jar && -f $options ]] || { echo "$0: build first: mvn -B -q -pl perf -am package -DskipTests" >&2; exit 1; }
rates=${RATES:-100000,500000,1000000}
seconds=${SECONDS_PER_MODE:-3}
warmup=${WARMUP:-2}
slices=${SLICES:-64 16}
turns=${TURNS:-1024 256}
java=${JAVA:-java}
mkdir -p "$out"
summary=$out/summary.txt
started=$(date -u +%s)
{
    echo "# perf/latency-round.sh at $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# LatencyMain rates=$rates seconds=$seconds warmup=$warmup profile=low-latency modes=empty,tumbling,raw; slices $slices; turns $turns"
    echo "# $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
} >"$summary"

failed=0
for rate in ${rates//,/ }; do
    for turn in $turns; do
        for slice in $slices; do
            log=$out/latency-$rate-slice$slice-turn$turn.log
            line="rate $rate, firingSlice $slice, turn $turn: $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
            echo "== $line" | tee -a "$summary"
            status=0
            (cd "$root" && "$java" @"$options" -Xms1g -Xmx1g -Dsluice.engine.partition.batch.limit="$turn" -cp "$jar" \
                io.sluice.perf.LatencyMain rates="$rate" seconds="$seconds" warmup="$warmup" profile=low-latency \
                modes=empty,tumbling,raw firingSlice="$slice" out="$out") >"$log" 2>&1 || status=$?
            if [[ $status -eq 0 ]]; then
                grep -E '^RESULT' "$log" | sed 's/^/   /' | tee -a "$summary" || true
            else
                failed=$((failed + 1))
                echo "   FAILED (exit $status): see $log" | tee -a "$summary"
            fi
        done
    done
done
echo "# done in $(( $(date -u +%s) - started )) s, load $(cut -d' ' -f1-3 /proc/loadavg); $failed failed" | tee -a "$summary"
[[ $failed -eq 0 ]]
