package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DetectionTallyTest
{
    private static final String[] KINDS = {"velocity", "amount", "travel", "unpaid"};

    @Test
    void shouldReportWhatEvaluateReportsForTheAlertsSeenSoFar()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 50; round++)
        {
            final List<InjectedPattern> patterns = new ArrayList<>();
            for (int i = random.nextInt(40); i > 0; i--)
            {
                final long first = random.nextInt(10_000);
                // the last kind is never injected: its alerts are all false
                patterns.add(new InjectedPattern(KINDS[random.nextInt(KINDS.length - 1)], random.nextInt(8), first,
                    first + random.nextInt(2_000), 1 + random.nextInt(12)));
            }
            final List<Alert> alerts = new ArrayList<>();
            final DetectionTally tally = new DetectionTally(patterns);
            for (int batch = 0; batch < 10; batch++)
            {
                for (int i = random.nextInt(15); i > 0; i--)
                {
                    final long start = random.nextInt(12_000);
                    alerts.add(new Alert(KINDS[random.nextInt(KINDS.length)], random.nextInt(8), start, start + 1 + random.nextInt(3_000),
                        random.nextDouble(), random.nextInt(2)));
                }
                final List<Alert> soFar = List.copyOf(alerts);
                assertThat(tally.update(soFar).report()).as("round %d, batch %d", round, batch)
                    .isEqualTo(DetectionReport.evaluate(patterns, soFar));
                // The same list again counts nothing twice.
                assertThat(tally.update(soFar).report()).isEqualTo(DetectionReport.evaluate(patterns, soFar));
            }
        }
    }
}
