#!/usr/bin/env bash
# perf/demo-threads.sh: the CPU time of every thread of the demo's JVM over the measured seconds only.
#
#   perf/demo-threads.sh REPORT_DIR [sluice demo options...]      (from the repository root; nothing is built)
#   e.g. perf/demo-threads.sh /var/tmp/demo-threads -t 10 --stage-times --no-dashboard
#   SLUICE_CHECKOUT=../base perf/demo-threads.sh ...   runs the demo of another (built) checkout: an A/B pair
#
# Runs `./sluice demo` (SLUICE_BUILD=never: build first) with the options given and reads Linux's scheduler
# statistics of each of its JVM's threads (/proc/<pid>/task/<tid>/schedstat: nanoseconds on a cpu, nanoseconds
# runnable but waiting for one, times it was scheduled in) at each of the demo's once-a-second lines from its first
# measured second's (where the demo's own "while measuring" figures start) to the last before the line that says the
# plan's last event was sent; a thread that ends before (the load generator's sender, once it has sent everything)
# counts to its last reading. One `grep` process a second (~1-2 ms of CPU, outside the JVM, so not in the table).
# Ran and switches are the kernel's counts, which another process's load changes little (a thread waits longer, it
# does not run much longer); waited is the load. Then `jcmd <pid> Thread.print` names the threads whose Linux name is
# only "java" (the main thread is the demo's reporter); a thread gone by then keeps its Linux name.
#
# SCHED_TRACE=FILE (needs tracefs at /sys/kernel/tracing and python3): also records the kernel's sched_switch events over
# the same seconds in a tracefs instance of its own (left to no one else), writes them to FILE and appends
# perf/sched-gaps.py's analysis to the table: on the sender's cpu and on each processing thread's, each task's runs (how
# long it held the cpu each time) and the spinning thread's absences of 0.5 ms or more with the tasks that ran in them.
#
# Writes REPORT_DIR/demo-<UTC time>.log (the demo's output) and REPORT_DIR/demo-<UTC time>-threads.txt: one line a
# thread, the busiest first: ms on a cpu, ms waiting for one, times scheduled in, the thread's name. On 2 cpus the
# processing thread and the load generator's sender each spin on a cpu of their own, so every millisecond that any
# other thread ran was taken from one of them (perf/README.md, section 114).
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 REPORT_DIR [sluice demo options...]" >&2; exit 2; }
out=$1
shift
root=${SLUICE_CHECKOUT:-$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
mkdir -p "$out"
stamp=$(date -u +%Y%m%d-%H%M%S)
log=$out/demo-$stamp.log
table=$out/demo-$stamp-threads.txt
scratch=$(mktemp -d "${TMPDIR:-/tmp}/demo-threads.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkfifo "$scratch/out"
if [[ -n ${SCHED_TRACE:-} && ! -d /sys/kernel/tracing/instances ]]; then
    # Checked before the demo starts: a failure after it would leave it writing into a pipe no one reads.
    echo "demo-threads: SCHED_TRACE needs tracefs at /sys/kernel/tracing (as root: mount -t tracefs tracefs /sys/kernel/tracing)" >&2
    exit 2
fi

(cd "$root" && SLUICE_BUILD=never exec ./sluice demo "$@") >"$scratch/out" 2>&1 &
pid=$!

# SCHED_TRACE=FILE: also the kernel's sched_switch events of the measured seconds (a tracefs instance of its own).
trace=
if [[ -n ${SCHED_TRACE:-} ]]; then
    trace=/sys/kernel/tracing/instances/demo-threads-$$
    mkdir "$trace"
    echo 0 >"$trace/tracing_on" # a new instance records at once: nothing before the measured seconds
    echo 32768 >"$trace/buffer_size_kb"
    echo 1 >"$trace/events/sched/sched_switch/enable"
    trap 'rm -rf "$scratch"; [[ -z $trace ]] || rmdir "$trace" 2>/dev/null || true' EXIT
fi

# One process per reading: every thread's schedstat and Linux name.
snapshot() {
    grep -H . /proc/"$pid"/task/*/schedstat /proc/"$pid"/task/*/comm >"$1" 2>/dev/null || true
}

total=
started=
ended=
snapshots=0
while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log"
    if [[ -z $total && $line =~ ^plan:\ (.*)$ ]]; then
        # "plan: warm-up 50,000 ev/s for 10 s, measure 50,000 ev/s for 10 s": events in all.
        total=0
        rest=${BASH_REMATCH[1]//,/}
        while [[ $rest =~ ([0-9]+)\ ev/s\ for\ ([0-9]+)\ s(.*)$ ]]; do
            total=$((total + BASH_REMATCH[1] * BASH_REMATCH[2]))
            rest=${BASH_REMATCH[3]}
        done
    elif [[ -z $ended && $line =~ ^\ +[0-9.]+\ s\ +(measure|drain)\  ]] && [[ -n $started || $line =~ measure ]]; then
        # Every second: a thread that ends (the sender, once it has sent everything) counts to its last reading. The line
        # that says everything was sent ends the readings without one of its own: its report read every process's
        # statistics for the summary, after the sending (milliseconds of the reporter's cpu that delayed no event).
        read -r -a fields <<<"$line"
        if [[ -z $total || ${fields[3]//,/} -lt $total || $snapshots -lt 1 ]]; then
            snapshots=$((snapshots + 1))
            snapshot "$scratch/at-$(printf %05d $snapshots)"
        fi
        if [[ -z $started ]]; then
            started=$(date -u +%H:%M:%S.%3N)
            [[ -z $trace ]] || echo 1 >"$trace/tracing_on"
        fi
        if [[ -n $total && ${fields[3]//,/} -ge $total ]]; then
            ended=$(date -u +%H:%M:%S.%3N)
            [[ -z $trace ]] || { echo 0 >"$trace/tracing_on"; cat "$trace/trace" >"$SCHED_TRACE"; }
            # In the background: the demo must go on writing its output meanwhile.
            timeout 20 jcmd "$pid" Thread.print >"$scratch/names" 2>/dev/null &
            names=$!
        fi
    elif [[ -n $started && -z $ended && $line == Summary ]]; then
        snapshots=$((snapshots + 1))
        snapshot "$scratch/at-$(printf %05d $snapshots)"
        ended=$(date -u +%H:%M:%S.%3N)
    fi
done <"$scratch/out"
status=0
wait "$pid" || status=$?
[[ -z ${names:-} ]] || wait "$names" || true

if [[ -z $ended ]]; then
    echo "demo-threads: the demo ended (status $status) before its measured seconds ended; its output: $log" >&2
    exit 1
fi
touch "$scratch/names"
# Java names by native thread id (jcmd's nid=0x...), for threads whose Linux name says nothing.
awk -v started="$started" -v ended="$ended" '
    function hex(digits,    i, value) {
        value = 0
        for (i = 1; i <= length(digits); i++) value = value * 16 + index("0123456789abcdef", substr(digits, i, 1)) - 1
        return value
    }
    FILENAME ~ /names$/ {
        reading = 0
        if (match($0, /^"[^"]*"/) && match($0, /nid=0x[0-9a-f]+/)) {
            name = $0; sub(/^"/, "", name); sub(/".*/, "", name)
            javaName[hex(substr($0, RSTART + 6, RLENGTH - 6))] = name
        }
        next
    }
    FNR == 1 { reading++ }
    {
        split($0, part, ":"); n = split(part[1], path, "/"); tid = path[n - 1]; value = substr($0, length(part[1]) + 2)
        if (path[n] == "comm") { comm[tid] = value; next }
        split(value, s, " ")
        if (reading == 1) { run0[tid] = s[1]; wait0[tid] = s[2]; slices0[tid] = s[3] }
        run1[tid] = s[1]; wait1[tid] = s[2]; slices1[tid] = s[3]; last[tid] = reading
    }
    END {
        printf "# CPU of each thread of the demo JVM from its first measured second (%s UTC) to its last reading before the line of its last event sent (%s UTC), %d readings\n", started, ended, reading
        printf "%10s %10s %8s  %-7s %s\n", "ran ms", "waited ms", "sched in", "tid", "thread"
        fflush()
        for (tid in last) {
            name = comm[tid]
            if ((tid in javaName) && javaName[tid] != name) name = name " (" javaName[tid] ")"
            if (!(tid in run0)) name = name " [started while measuring]"
            if (last[tid] < reading) name = name " [ended while measuring: to its last reading]"
            ran = (run1[tid] - run0[tid]) / 1e6; waited = (wait1[tid] - wait0[tid]) / 1e6; ins = slices1[tid] - slices0[tid]
            totalRan += ran; totalWaited += waited
            printf "%10.1f %10.1f %8d  %-7s %s\n", ran, waited, ins, tid, name | "sort -k1,1 -g -r"
        }
        close("sort -k1,1 -g -r")
        printf "%10.1f %10.1f %8s  %-7s %s\n", totalRan, totalWaited, "", "", "all threads"
    }' "$scratch/names" "$scratch"/at-* >"$table"
if [[ -n $trace && -s ${SCHED_TRACE:-} ]]; then
    python3 "$(dirname "${BASH_SOURCE[0]}")/sched-gaps.py" "$SCHED_TRACE" "$table" >>"$table" || echo "demo-threads: no sched-gaps analysis (python3?)" >&2
fi
cat "$table"
echo "demo output: $log"
exit "$status"
