package io.sluice.ops.stat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.client.wire.ErrorCode;
import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.ops.stat.PrometheusScrape.Family;
import io.sluice.ops.stat.PrometheusScrape.Sample;

/**
 * The /metrics endpoint over a real counters file, scraped over HTTP and parsed by the official
 * Prometheus parser: every family typed and documented once, counters with {@code _total}, seconds,
 * one value per label, no sentinel for an unset watermark, and the JVM's metrics.
 */
class SluiceCollectorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExposeCountersPerPrometheusConventions() throws Exception
    {
        final CountersFile file = CountersFile.create(dir, CountersFile.DEFAULT_VALUES_LENGTH, CountersFile.DEFAULT_ERROR_LOG_LENGTH, 1, 0);
        final CountersManager manager = file.newCountersManager();
        final int none = SluiceCounters.NONE;
        SluiceCounters.allocate(manager, SluiceCounters.TOPIC_TYPE_ID, "topic: a/b c", 2, none, none, none, "a/b c").set(2);
        SluiceCounters.allocate(manager, SluiceCounters.PIPELINE_TYPE_ID, "pipeline: p \"q\"", 2, none, 0, none, "p \"q\"");
        for (int p = 0; p < 2; p++)
        {
            // Interleaved families, as the engine allocates them: the exposition must still group each family once.
            SluiceCounters.allocate(manager, SluiceCounters.EVENTS_IN_TYPE_ID, "events-in", 2, p, none, none, null).set(40 + p);
            SluiceCounters.allocate(manager, SluiceCounters.JOURNAL_WRITER_RESERVATIONS_TYPE_ID, "journal-writer-reservations", 2, p,
                none, none, null).set(3 * p);
            SluiceCounters.allocate(manager, SluiceCounters.JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID, "journal-writer-reserved-bytes", 2, p,
                none, none, null).set(3L * p << 20);
            SluiceCounters.allocate(manager, SluiceCounters.JOURNAL_WRITES_TYPE_ID, "journal-writes", 2, p, none, none, null).set(5 + p);
            SluiceCounters.allocate(manager, SluiceCounters.PARTITION_STATE_TYPE_ID, "partition-state", 2, p, none, none, null)
                .set(p == 0 ? PartitionState.RUNNING.code() : PartitionState.FAILED.code());
            SluiceCounters.allocate(manager, SluiceCounters.OUTPUTS_TYPE_ID, "outputs", 2, p, 0, none, null).set(7);
            SluiceCounters.allocate(manager, SluiceCounters.WATERMARK_TYPE_ID, "watermark", 2, p, 0, none, null)
                .set(p == 0 ? Long.MIN_VALUE : 1_700_000_000_500L);
        }
        final long[] figures = {3, 5, 9, 11, 20, 1000, 4_000_000}; // us, us, us, us, us, count, ns
        for (int i = 0; i < figures.length; i++)
        {
            SluiceCounters.allocate(manager, SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID + i, "processing-latency", none, none, 0, none, null)
                .set(figures[i]);
        }
        SluiceCounters.allocate(manager, SluiceCounters.NET_FRAMES_REJECTED_TYPE_ID, "net-frames-rejected: ingress[0] TRUNCATED",
            none, none, none, ErrorCode.TRUNCATED, "ingress[0]").set(1);
        SluiceCounters.allocate(manager, SluiceCounters.NET_COMMITS_PENDING_TYPE_ID, "net-commits-pending: egress[0]",
            none, none, none, none, "egress[0]").set(2);
        SluiceCounters.allocate(manager, SluiceCounters.NET_COMMIT_STORE_US_TYPE_ID, "net-commit-store-us: egress[0]",
            none, none, none, none, "egress[0]").set(2_500_000);
        SluiceCounters.allocate(manager, SluiceCounters.NET_COMMIT_STORE_MAX_US_TYPE_ID, "net-commit-store-max-us: egress[0]",
            none, none, none, none, "egress[0]").set(1_750_000);
        SluiceCounters.allocate(manager, SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID, "checkpoints-completed", none, none, none, none, null)
            .set(9);
        SluiceCounters.allocate(manager, SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID, "last-checkpoint-id", none, none, none, none, null).set(-1);
        // Milliseconds become seconds exactly as written: 5999 ms is 5.999 s (not 5999 x 1e-3 = 5.9990000000000006).
        SluiceCounters.allocate(manager, SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID, "last-checkpoint-age-ms", none, none, none, none, null)
            .set(5_999);

        final PrometheusScrape scrape;
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, file.newCountersReader()))
        {
            scrape = PrometheusScrape.scrape(endpoint.port(), dir);
        }

        scrape.assertConventions();
        final Family eventsIn = scrape.family("sluice_events_in");
        assertThat(eventsIn.type()).isEqualTo("counter");
        assertThat(eventsIn.samples()).extracting(Sample::name).containsOnly("sluice_events_in_total");
        assertThat(eventsIn.samples()).extracting(Sample::labels)
            .containsExactly(Map.of("topic", "a/b c", "partition", "0"), Map.of("topic", "a/b c", "partition", "1"));
        final Family writerReservations = scrape.family("sluice_journal_writer_reservations");
        assertThat(writerReservations.type()).isEqualTo("counter");
        assertThat(writerReservations.samples()).extracting(s -> s.labels().get("partition") + " " + s.name() + " " + s.value())
            .containsExactly("0 sluice_journal_writer_reservations_total 0.0", "1 sluice_journal_writer_reservations_total 3.0");
        assertThat(scrape.family("sluice_journal_writer_reserved_bytes").samples())
            .extracting(s -> s.labels().get("partition") + " " + s.name() + " " + s.value())
            .containsExactly("0 sluice_journal_writer_reserved_bytes_total 0.0", "1 sluice_journal_writer_reserved_bytes_total 3145728.0");
        assertThat(scrape.family("sluice_journal_writes").samples())
            .extracting(s -> s.labels().get("partition") + " " + s.name() + " " + s.value())
            .containsExactly("0 sluice_journal_writes_total 5.0", "1 sluice_journal_writes_total 6.0");
        assertThat(scrape.family("sluice_outputs").samples()).allSatisfy(s ->
            assertThat(s.labels()).containsEntry("pipeline", "p \"q\"").containsEntry("topic", "a/b c"));

        final Family state = scrape.family("sluice_partition_state");
        assertThat(state.type()).isEqualTo("gauge");
        assertThat(state.samples()).filteredOn(s -> s.value() == 1).extracting(s -> s.labels().get("partition") + " " +
            s.labels().get("sluice_partition_state")).containsExactlyInAnyOrder("0 RUNNING", "1 FAILED");

        final Family watermark = scrape.family("sluice_watermark_timestamp_seconds");
        assertThat(watermark.samples()).singleElement().satisfies(s ->
        {
            assertThat(s.labels()).containsEntry("partition", "1");
            assertThat(s.value()).isEqualTo(1_700_000_000.5);
        });

        final Family latency = scrape.family("sluice_processing_latency_seconds");
        assertThat(latency.type()).isEqualTo("summary");
        assertThat(latency.samples()).filteredOn(s -> "0.99".equals(s.labels().get("quantile")))
            .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(5e-6));
        assertThat(latency.samples()).filteredOn(s -> s.name().endsWith("_count")).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(1000));
        assertThat(latency.samples()).filteredOn(s -> s.name().endsWith("_sum")).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(0.004));
        assertThat(latency.samples()).allSatisfy(s -> assertThat(s.labels()).containsEntry("pipeline", "p \"q\""));
        assertThat(scrape.family("sluice_processing_latency_max_seconds").samples()).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(20e-6));

        assertThat(scrape.family("sluice_net_frames_rejected").samples()).singleElement()
            .satisfies(s -> assertThat(s.labels()).isEqualTo(Map.of("component", "ingress[0]", "code", "TRUNCATED")));
        assertThat(scrape.family("sluice_net_commits_pending").samples()).singleElement().satisfies(s ->
        {
            assertThat(s.labels()).isEqualTo(Map.of("component", "egress[0]"));
            assertThat(s.value()).isEqualTo(2);
        });
        assertThat(scrape.family("sluice_net_commit_store_seconds").samples()).singleElement().satisfies(s ->
        {
            assertThat(s.name()).isEqualTo("sluice_net_commit_store_seconds_total");
            assertThat(s.value()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-9));
        });
        assertThat(scrape.family("sluice_net_commit_store_max_seconds").samples()).singleElement()
            .satisfies(s -> assertThat(s.value()).isCloseTo(1.75, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(scrape.family("sluice_checkpoints_completed").samples()).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(9));
        assertThat(scrape.families()).doesNotContainKey("sluice_last_checkpoint_id");
        assertThat(scrape.family("sluice_last_checkpoint_age_seconds").samples()).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(5.999));

        assertThat(scrape.family("jvm_memory_used_bytes").type()).isEqualTo("gauge");
        assertThat(scrape.family("jvm_gc_collection_seconds").type()).isEqualTo("summary");
        assertThat(scrape.family("jvm_threads_current").type()).isEqualTo("gauge");
        assertThat(scrape.family("jvm_safepoints").type()).isEqualTo("counter");
        assertThat(scrape.family("jvm_safepoint_time_seconds").samples()).singleElement()
            .satisfies(s -> assertThat(s.name()).isEqualTo("jvm_safepoint_time_seconds_total"));
    }
}
