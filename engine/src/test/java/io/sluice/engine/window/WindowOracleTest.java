package io.sluice.engine.window;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Compares every window kind against the naive {@link ReferenceWindowOperator} on seeded random
 * inputs: same results, same values, same flags, same order, same late side output and counters.
 * Set {@code -Dsluice.test.seed=N} to rerun one seed; failures print the seed.
 */
class WindowOracleTest
{
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", 0x5EEDL);
    private static final int SEEDS = Integer.getInteger("sluice.test.seeds", 6);

    static Stream<WindowTestScenario> scenarios()
    {
        final List<WindowTestScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++)
        {
            final long seed = BASE_SEED + i;
            final boolean early = i % 3 == 2;
            scenarios.add(aligned("tumbling", 10, 10, 0, 0, 3, early, seed));
            scenarios.add(aligned("tumbling offset late", 10, 10, 3, 15, 4, early, seed));
            scenarios.add(aligned("tumbling negative offset", 7, 7, -2, 5, 0, early, seed));
            scenarios.add(aligned("sliding", 10, 2, 0, 0, 3, early, seed));
            scenarios.add(aligned("sliding gcd 2 late", 10, 4, 1, 9, 5, early, seed));
            scenarios.add(aligned("sliding gcd 3", 9, 6, 5, 4, 2, early, seed));
            scenarios.add(aligned("sliding gcd 1", 7, 3, 0, 6, 3, early, seed));
            scenarios.add(aligned("hopping gaps", 6, 10, 0, 0, 3, early, seed));
            scenarios.add(aligned("hopping gaps offset late", 6, 10, 4, 12, 5, early, seed));
            scenarios.add(aligned("hopping gaps gcd 1", 3, 7, 1, 3, 2, early, seed));
            scenarios.add(new WindowTestScenario("sliding many keys", false, 12, 3, 2, 0, 7, 4, early, seed)
                .generate(3000, 300, 1));
            scenarios.add(new WindowTestScenario("tumbling many keys", false, 5, 5, 0, 0, 3, 2, early, seed)
                .generate(3000, 300, 1));
            scenarios.add(new WindowTestScenario("session many keys", true, 0, 0, 0, 6, 3, 2, early, seed)
                .generate(3000, 300, 1));
            scenarios.add(new WindowTestScenario("session", true, 0, 0, 0, 5, 0, 3, early, seed)
                .generate(1500, 6, 3));
            scenarios.add(new WindowTestScenario("session late", true, 0, 0, 0, 8, 12, 4, early, seed)
                .generate(1500, 6, 4));
        }
        scenarios.add(new WindowTestScenario(
            "sliding 1h/1s", false, 3_600_000, 1000, 0, 0, 2000, 1500, false, BASE_SEED)
            .generate(400, 3, 20_000));
        scenarios.add(new WindowTestScenario(
            "sliding 1h/1s offset early", false, 3_600_000, 1000, 250, 0, 0, 1500, true, BASE_SEED + 1)
            .generate(150, 2, 30_000));
        return scenarios.stream();
    }

    private static WindowTestScenario aligned(
        final String name, final long size, final long hop, final long offset, final long lateness, final long bound,
        final boolean early, final long seed)
    {
        return new WindowTestScenario(name, false, size, hop, offset, 0, lateness, bound, early, seed)
            .generate(1500, 5, Math.max(1, hop / 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldMatchReferenceImplementation(final WindowTestScenario scenario)
    {
        final List<String> expected = new ArrayList<>();
        final ReferenceWindowOperator oracle = scenario.newOracle(expected);
        scenario.replay(oracle);

        final List<String> actual = new ArrayList<>();
        final WindowOperator operator = scenario.newOperator(actual);
        scenario.replay(operator, 0, scenario.steps.size());

        assertSameOutput(scenario, expected, actual);
        if (Boolean.getBoolean("sluice.test.verbose"))
        {
            System.out.println(scenario + ": " + stats(actual) + " late=" + operator.lateEventsDropped() +
                " unassigned=" + operator.unassignedEvents() + " fired=" + operator.windowsFired());
        }
        assertThat(operator.lateEventsDropped()).as("late events, %s", scenario).isEqualTo(oracle.late);
        assertThat(operator.unassignedEvents()).as("unassigned events, %s", scenario).isEqualTo(oracle.unassigned);
        assertThat(operator.windowsFired()).as("windows fired, %s", scenario).isEqualTo(oracle.fired);
        assertThat(operator.stateEntries()).as("state left after end of input, %s", scenario).isZero();
        assertThat(expected).as("scenario should produce output, %s", scenario).isNotEmpty();
    }

    private static String stats(final List<String> output)
    {
        final long[] counts = new long[5];
        for (final String line : output)
        {
            counts[line.startsWith("FINAL") ? 0 : line.startsWith("UPDATE") ? 1 : line.startsWith("EARLY") ? 2 :
                line.startsWith("LATE") ? 3 : 4]++;
            if (line.contains("[-"))
            {
                counts[4]++;
            }
        }
        return "final=" + counts[0] + " update=" + counts[1] + " early=" + counts[2] + " lateOut=" + counts[3] +
            " negativeStarts=" + counts[4];
    }

    static void assertSameOutput(final WindowTestScenario scenario, final List<String> expected, final List<String> actual)
    {
        final int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++)
        {
            if (!expected.get(i).equals(actual.get(i)))
            {
                fail("first difference at output " + i + " for " + scenario + "\n expected: " + expected.get(i) +
                    "\n actual:   " + actual.get(i) + "\n context expected: " +
                    expected.subList(Math.max(0, i - 3), Math.min(expected.size(), i + 3)) + "\n context actual: " +
                    actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 3)));
            }
        }
        if (expected.size() != actual.size())
        {
            fail("output length differs for " + scenario + ": expected " + expected.size() + " actual " + actual.size() +
                "\n next expected: " + (common < expected.size() ? expected.get(common) : "-") +
                "\n next actual: " + (common < actual.size() ? actual.get(common) : "-"));
        }
    }
}
