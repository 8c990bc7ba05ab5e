package io.sluice.ops.demo;

import io.sluice.loadgen.RatePlan;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;

/**
 * The picocli options shared by {@code sluice demo} and {@code sluice loadgen} that shape the load:
 * rate or rate sweep, measured and warm-up seconds, bursts; checks them and turns them into a
 * {@link RatePlan}. A command may reword the help of an option under its {@code load.*}
 * description key in its resource bundle.
 *
 * <p>Threading: filled by picocli and read by the command's thread.
 */
final class LoadShapeOptions
{
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = { "-t", "--duration" }, paramLabel = "SECONDS", defaultValue = "20", descriptionKey = "load.duration",
        description = "Measured seconds of load at one rate (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    // 10 s, not 5: measured with the demo (perf/README.md section 32), the sender's lag p99 was 0.82-0.89 ms after a
    // 5 s warm-up and 0.34-0.41 ms after 10 s, in alternating runs: the JIT is still compiling the paths of the run
    // (on the sender's cpu, on 2 cores) for several seconds after the first events.
    @Option(names = { "-w", "--warm-up" }, paramLabel = "SECONDS", defaultValue = "10", descriptionKey = "load.warm-up",
        description = "Warm-up seconds before it, reported apart (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = { "-r", "--rate" }, paramLabel = "EVENTS_PER_S", defaultValue = "50000", descriptionKey = "load.rate",
        description = "Events per second (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--sweep", paramLabel = "RATE", split = ",", descriptionKey = "load.sweep",
        description = "Rate sweep instead of one rate: each rate for --step seconds, e.g. 20000,50000,100000.")
    long[] sweep;

    @Option(names = "--step", paramLabel = "SECONDS", defaultValue = "5", descriptionKey = "load.step",
        description = "Seconds at each rate of a sweep (default: ${DEFAULT-VALUE}).")
    int stepSeconds;

    @Option(names = "--burst-every", paramLabel = "SECONDS", defaultValue = "0", descriptionKey = "load.burst-every",
        description = "Add a one-second burst every this many seconds (default: none).")
    int burstEverySeconds;

    @Option(names = "--burst-factor", paramLabel = "FACTOR", defaultValue = "3", descriptionKey = "load.burst-factor",
        description = "Rate multiplier of a burst (default: ${DEFAULT-VALUE}).")
    double burstFactor;

    /**
     * Checks the run's length and rate; a command may check options of its own before {@link #checkShape()}.
     */
    void checkLengthAndRate()
    {
        CliException.checkUsage(durationSeconds >= 1 && durationSeconds <= 3_600,
            "--duration must be in [1, 3600] s, was " + durationSeconds);
        CliException.checkUsage(warmUpSeconds >= 0 && warmUpSeconds <= 600,
            "--warm-up must be in [0, 600] s, was " + warmUpSeconds);
        CliException.checkUsage(rate >= 1 && rate <= 50_000_000, "--rate must be in [1, 50000000], was " + rate);
    }

    /**
     * Checks the bursts and the rates of a sweep.
     */
    void checkShape()
    {
        CliException.checkUsage(burstEverySeconds == 0 || burstEverySeconds >= 2,
            "--burst-every must be 0 (none) or at least 2 s");
        CliException.checkUsage(burstFactor > 1, "--burst-factor must be above 1, was " + burstFactor);
        CliException.checkUsage(stepSeconds >= 1 && stepSeconds <= 3_600, "--step must be in [1, 3600] s, was " + stepSeconds);
        if (sweep != null)
        {
            CliException.checkUsage(!isSet("--duration"),
                "--duration is the length of a run at one rate; a --sweep runs each rate for --step seconds (default 5)");
            for (final long r : sweep)
            {
                CliException.checkUsage(r >= 1 && r <= 50_000_000, "--sweep rates must be in [1, 50000000], was " + r);
            }
        }
    }

    private boolean isSet(final String option)
    {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null &&
            command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * The plan of the run: the sweep if one was given (each rate for {@code --step} seconds), else the
     * steady rate with its bursts.
     *
     * @return the rate plan.
     */
    RatePlan plan()
    {
        if (sweep != null && sweep.length > 0)
        {
            return RatePlan.sweep(sweep, warmUpSeconds * 1_000L, stepSeconds * 1_000L);
        }
        return RatePlan.steady(rate, warmUpSeconds * 1_000L, durationSeconds * 1_000L, burstEverySeconds * 1_000L,
            burstEverySeconds > 0 ? 1_000 : 0, burstFactor);
    }
}
