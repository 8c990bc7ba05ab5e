package io.sluice.peers;

import java.util.Map;

/**
 * Where the machine's CPU went between two {@link CpuSnapshot}s, in nanoseconds of CPU: the pipeline under test's own
 * threads, the benchmark's threads, the other Java threads of the process (the in-process broker's, above all), the
 * process's CPU outside its live Java threads (garbage collection, the JIT, native threads such as RocksDB's, threads
 * that ended), other processes on the machine, and idle. Together they add up to the wall time times the cpus
 * (to the 10 ms resolution of {@code /proc/stat}).
 *
 * @param wallNanos        between the snapshots.
 * @param pipelineByThread the pipeline's threads' CPU by name, the most first.
 * @param harness          the benchmark's threads.
 * @param broker           the process's other Java threads: the broker's (and any thread neither names).
 * @param gc               the garbage collector's threads.
 * @param jit              the JIT compilers' threads.
 * @param jvm              the rest of the process's CPU: outside its live Java, GC and JIT threads.
 * @param otherProcesses   the machine's busy time less this process's.
 * @param idle             the machine's idle (and I/O wait) time.
 */
record CpuBudget(
    long wallNanos, Map<String, Long> pipelineByThread, long harness, long broker, long gc, long jit, long jvm, long otherProcesses, long idle)
{
    /** The budget's parts in the order {@link #perRecord} gives them, for a report's columns. */
    static final String[] PARTS = {"pipeline's threads", "broker (other Java threads)", "harness (result reader)",
        "GC", "JIT", "other of the JVM (VM thread, native)", "other processes", "idle"};

    /**
     * The pipeline's threads' CPU.
     *
     * @return nanoseconds.
     */
    long pipeline()
    {
        return pipelineByThread.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Each part per input record, in the order of {@link #PARTS}, scaled from this budget's wall time to a run's: the
     * CPU per second of the budget times the run's seconds, over its records.
     *
     * @param records  of the run.
     * @param runNanos the run's wall time (first record to last result).
     * @return nanoseconds of CPU per record.
     */
    double[] perRecord(final long records, final long runNanos)
    {
        final double scale = (double)runNanos / wallNanos / records;
        return new double[] {
            pipeline() * scale, broker * scale, harness * scale, gc * scale, jit * scale, jvm * scale, otherProcesses * scale, idle * scale};
    }

    /**
     * The parts as text, "name us, ...".
     *
     * @param perRecord as {@link #perRecord} gives them.
     * @return the text, microseconds with two decimals.
     */
    static String describe(final double[] perRecord)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < perRecord.length; i++)
        {
            s.append(i == 0 ? "" : ", ").append(PARTS[i]).append(String.format(" %.2f", perRecord[i] / 1e3));
        }
        return s.toString();
    }
}
