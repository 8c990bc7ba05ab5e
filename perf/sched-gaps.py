#!/usr/bin/env python3
"""Who took the load generator's sender and the processing threads off their cpus: perf/demo-threads.sh's SCHED_TRACE
analysis.

    perf/sched-gaps.py TRACE THREADS_TABLE

TRACE is the text of a tracefs instance's sched_switch events (cat .../trace); THREADS_TABLE is
demo-threads.sh's table (its tids name the demo JVM's threads; any other task is "other <its name>").
Prints, for the cpu the sender ran on and for each processing thread's cpu, each task's runs there (switch-in to
switch-out: how long it held the cpu each time) and the spinning thread's absences (switched out to switched in
again) of 0.5 ms and more with the tasks that ran meanwhile: an absence of the sender of L delays every event due
in it by up to L; one of the processing thread, every event published meanwhile (they wait in the ring).
"""
import collections
import re
import sys

SWITCH = re.compile(r'\[(\d+)\][^:]*\s(\d+\.\d+): sched_switch: prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ '
                    r'prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+) next_prio=\d+')
SENDER = 'sluice-loadgen-'
PROCESSING = 'sluice-processi'
# The threads that spin on a cpu of their own: whoever else runs there delays the events.
SPINNING = ((SENDER, 'sender'), (PROCESSING, 'processing thread'))
LONG = 0.0005


def main(trace, table):
    ours = {}
    for line in open(table):
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[3].isdigit():
            ours[int(fields[3])] = fields[4].strip().split(' [')[0]
    events = []
    for line in open(trace):
        m = SWITCH.search(line)
        if m:
            events.append((int(m.group(1)), float(m.group(2)), m.group(3), int(m.group(4)), m.group(5), int(m.group(7))))
    found = False
    for comm, label in SPINNING:
        # Each thread of that name, on the cpu it was switched out of most (a spinning thread stays on its cpu).
        # Only the demo JVM's (other processes on the machine may run threads of the same names).
        places = collections.Counter((e[3], e[0]) for e in events if e[2] == comm and (not ours or e[3] in ours))
        for tid in sorted(set(t for (t, _) in places)):
            cpu = max((n, c) for (t, c), n in places.items() if t == tid)[1]
            found = True
            absences(events, ours, cpu, tid, label)
    if not found:
        print('sched-gaps: no switch of the sender (%s) or of a processing thread (%s) in the trace' % (SENDER, PROCESSING))


def absences(events, ours, cpu, spinner, label):
    """On the spinning thread's cpu: each task's runs there, and the thread's absences of LONG or more with who ran."""

    def name(comm, pid):
        return ('JVM ' + ours[pid]) if pid in ours else 'other ' + comm

    runs = collections.defaultdict(list)
    started = {}
    gaps = []
    gap = None
    for at_cpu, t, prev_comm, prev_pid, prev_state, next_pid in events:
        if at_cpu == cpu:
            if prev_pid in started:
                runs[name(prev_comm, prev_pid)].append(t - started.pop(prev_pid))
            started[next_pid] = t
            if prev_pid == spinner:
                gap = [t, collections.Counter(), prev_state, t]
                continue
            if gap is not None:
                gap[1][name(prev_comm, prev_pid)] += t - gap[3]
                gap[3] = t
        if gap is not None and next_pid == spinner:
            gaps.append((t - gap[0], gap[0], gap[1], gap[2]))
            gap = None
    span = events[-1][1] - events[0][1]
    print('# cpu %d, where the %s (tid %d) ran, over %.1f s of trace: each task\'s runs there' % (cpu, label, spinner, span))
    print('%-42s %7s %10s %12s %12s %9s' % ('task', 'runs', 'ms in all', 'runs >=0.5ms', 'their ms', 'longest'))
    for task, r in sorted(runs.items(), key=lambda kv: -sum(kv[1]))[:20]:
        long_runs = [x for x in r if x >= LONG]
        print('%-42s %7d %10.1f %12d %12.1f %9.2f' % (task[:42], len(r), sum(r) * 1e3, len(long_runs), sum(long_runs) * 1e3,
                                                     max(r) * 1e3))
    long_gaps = [g for g in gaps if g[0] >= LONG]
    who = collections.Counter()
    for g in long_gaps:
        who.update(g[2])
    print('# the %s off its cpu %d times, %.1f ms in all; %d times for 0.5 ms or more, %.1f ms in all (switched out %s); '
          'who ran in those:' % (label, len(gaps), sum(g[0] for g in gaps) * 1e3, len(long_gaps), sum(g[0] for g in long_gaps) * 1e3,
                                 dict(collections.Counter(g[3] for g in long_gaps))))
    for task, t in who.most_common(12):
        print('   %-42s %8.1f ms in %4d of them' % (task[:42], t * 1e3, sum(1 for g in long_gaps if task in g[2])))
    print('# the longest:')
    for length, at, tasks, _ in sorted(long_gaps, reverse=True)[:8]:
        print('   %.6f %6.2f ms: %s' % (at, length * 1e3, ', '.join('%s %.2f' % (k, v * 1e3) for k, v in tasks.most_common(4))))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
