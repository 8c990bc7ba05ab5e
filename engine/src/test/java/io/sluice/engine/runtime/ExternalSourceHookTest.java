package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.EventFlyweight;
import io.sluice.journal.PartitionReader;

class ExternalSourceHookTest
{
    @TempDir
    Path dir;

    private static Pipeline counting(final EventSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("counting")
            .partitionKey("account")
            .eventTime("ts", 100)
            .window(w -> w.tumbling(1_000).count("n"))
            .sink("out", sink)
            .build();
    }

    private EngineContext context()
    {
        return new EngineContext().directory(dir).partitions(3).ringSize(256).journalSegmentLength(1024 * 1024).checkpointsRetained(3);
    }

    private static void publish(final ExternalSourcePublisher source, final int partition, final long fromPosition, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = 0; i < count; i++)
        {
            final long position = fromPosition + i;
            TestEvents.trade(buffer, position % 7, 1.5, 1, position * 10);
            source.publish(partition, buffer, 0, position);
        }
    }

    @Test
    void shouldTellTheSourceTheLastJournaledPositionFromTheCheckpointAndTheJournalAfterIt() throws Exception
    {
        final List<CheckpointManifest> heard = new CopyOnWriteArrayList<>();
        final CheckpointManifest mid;
        try (Engine engine = Engine.launch(context(), List.of(counting(new TestEvents.TextSink()))))
        {
            engine.addCheckpointListener(heard::add);
            final ExternalSourcePublisher source = engine.externalSource("trades");
            assertThat(source.partitionCount()).isEqualTo(3);
            assertThat(source.position(0)).isEqualTo(SourcePositions.NO_POSITION);
            publish(source, 0, 100, 100);
            publish(source, 1, 1_000, 50);
            mid = engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(source, 0, 200, 100);
        }
        assertThat(mid.find("trades", 0).sourcePosition(0)).isEqualTo(199);
        assertThat(mid.find("trades", 1).sourcePosition(0)).isEqualTo(1_049);
        assertThat(mid.find("trades", 2).sourcePosition(0)).isEqualTo(SourcePositions.NO_POSITION);
        assertThat(heard).extracting(CheckpointManifest::id).startsWith(mid.id());
        assertThat(heard.get(0).find("trades", 0).sourcePositions()).containsExactly(199);
        // The final checkpoint at close covers everything; damage it so recovery starts from mid and must
        // learn partition 0's newer position from the journal records it replays.
        final CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 3);
        final long newest = store.manifestIds().get(0);
        assertThat(store.readManifest(newest).find("trades", 0).sourcePosition(0)).isEqualTo(299);
        try (RandomAccessFile raf = new RandomAccessFile(
            store.directory().resolve(String.format("%020d", newest)).resolve("trades-0.cm").toFile(), "rw"))
        {
            raf.setLength(raf.length() - 4096);
        }

        try (Engine engine = Engine.launch(context(), List.of(counting(new TestEvents.TextSink()))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("loaded checkpoint " + mid.id()));
            final ExternalSourcePublisher source = engine.externalSource("trades");
            assertThat(source.position(0)).isEqualTo(299);
            assertThat(source.position(1)).isEqualTo(1_049);
            assertThat(source.position(2)).isEqualTo(SourcePositions.NO_POSITION);
        }
    }

    @Test
    void shouldLearnPositionsFromTheJournalAloneWithoutCheckpoints()
    {
        try (Engine engine = Engine.launch(context().checkpoints(false), List.of(counting(new TestEvents.TextSink()))))
        {
            publish(engine.externalSource("trades"), 2, 5, 10);
        }
        try (Engine engine = Engine.launch(context().checkpoints(false), List.of(counting(new TestEvents.TextSink()))))
        {
            assertThat(engine.externalSource("trades").position(2)).isEqualTo(14);
            assertThatThrownBy(() -> engine.addCheckpointListener(m -> { })).hasMessageContaining("checkpoints are disabled");
        }
    }

    @Test
    void shouldJournalThePositionInTheEventRecordAsDrawn()
    {
        try (Engine engine = Engine.launch(context().checkpoints(false), List.of(counting(new TestEvents.TextSink()))))
        {
            publish(engine.externalSource("trades"), 1, 42, 1);
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
            try (PartitionReader reader = engine.journal().topic(engine.journalTopicOf("trades")).partition(1).newReader())
            {
                final long[] seen = new long[4];
                assertThat(reader.poll(record ->
                {
                    seen[0] = record.type();
                    seen[1] = record.flags();
                    seen[2] = record.payloadLength();
                    seen[3] = record.buffer().getLong(
                        record.payloadOffset() + SourcePositionDescriptor.positionOffset(record.payloadLength()));
                    final EventFlyweight event = new EventFlyweight(TestEvents.TRADE).wrap(record.buffer(), record.payloadOffset());
                    assertThat(event.longValue(0)).isEqualTo(0);
                    assertThat(event.getLong(3)).isEqualTo(420);
                }, 10)).isEqualTo(1);
                assertThat(seen).containsExactly(RingSlot.EVENT, SourcePositionDescriptor.POSITIONED_FLAG,
                    TestEvents.TRADE.length() + SourcePositionDescriptor.POSITION_LENGTH, 42);
            }
        }
    }

    @Test
    void shouldGiveTheSinkTheCheckpointIdAtEachPartitionsBarrier() throws Exception
    {
        final List<String> barriers = new CopyOnWriteArrayList<>();
        final EventSink sink = new EventSink()
        {
            @Override
            public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
            {
            }

            @Override
            public void onCheckpoint(final int partition, final long checkpointId)
            {
                barriers.add(partition + "@" + checkpointId);
            }
        };
        try (Engine engine = Engine.launch(context(), List.of(counting(sink))))
        {
            final long id = engine.checkpoint().get(60, TimeUnit.SECONDS).id();
            assertThat(barriers).containsExactlyInAnyOrder("0@" + id, "1@" + id, "2@" + id);
        }
    }

    @Test
    void shouldRestoreNoNewerCheckpointThanTheLimitAndReplayTheRest() throws Exception
    {
        final long first;
        try (Engine engine = Engine.launch(context(), List.of(counting(new TestEvents.TextSink()))))
        {
            final ExternalSourcePublisher source = engine.externalSource("trades");
            publish(source, 0, 0, 10);
            first = engine.checkpoint().get(60, TimeUnit.SECONDS).id();
            publish(source, 0, 10, 10);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
        }
        try (Engine engine = Engine.launch(context().restoreCheckpointAtMost(first), List.of(counting(new TestEvents.TextSink()))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("skipped: recovery is limited to checkpoints up to " + first));
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("loaded checkpoint " + first));
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("replayed 10 records of trades/0"));
            assertThat(engine.externalSource("trades").position(0)).isEqualTo(19);
        }
        try (Engine engine = Engine.launch(context().restoreCheckpointAtMost(-1), List.of(counting(new TestEvents.TextSink()))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("replaying the journal from the start"));
            assertThat(engine.externalSource("trades").position(0)).isEqualTo(19);
        }
    }

    @Test
    void shouldPublishAClaimedBatchTogetherAndClaimNoMoreThanTheRingHasRoomFor()
    {
        // No ticks and no checkpoints: the test's publishers are the ring's only producers.
        try (Engine engine = Engine.launch(context().checkpoints(false).tickIntervalMillis(0), List.of(counting(new TestEvents.TextSink()))))
        {
            final ExternalSourcePublisher batch = engine.externalSource("trades");
            final ExternalSourcePublisher other = engine.externalSource("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            assertThatThrownBy(() -> batch.put(buffer, 0, 1)).hasMessageContaining("no batch is claimed");
            assertThatThrownBy(batch::publishClaimed).hasMessageContaining("no batch is claimed");

            assertThat(batch.tryClaim(1, 300)).isEqualTo(256); // the whole ring (256 slots), not more
            assertThat(other.tryClaim(1, 1)).isZero();          // claimed slots are taken until published
            assertThat(other.tryClaim(0, 3)).isEqualTo(3);      // another partition's ring is free
            assertThatThrownBy(() -> batch.tryClaim(2, 1)).hasMessageContaining("a batch of partition 1 is claimed and not published");
            for (int i = 0; i < 255; i++)
            {
                batch.put(TestEvents.trade(buffer, i % 7, 1.5, 1, i * 10L), 0, 1_000 + i);
            }
            assertThatThrownBy(batch::publishClaimed).hasMessageContaining("1 claimed slots are not filled");
            batch.put(TestEvents.trade(buffer, 3, 1.5, 1, 2_550), 0, 7_777, 1_255);
            assertThatThrownBy(() -> batch.put(buffer, 0, 1)).hasMessageContaining("every claimed slot is filled");
            batch.publishClaimed();
            for (int i = 0; i < 3; i++)
            {
                other.put(TestEvents.trade(buffer, i, 1.5, 1, i * 10L), 0, 50 + i);
            }
            other.publishClaimed();
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();

            final long[] positions = journaledPositions(engine, 1, 300);
            assertThat(positions).hasSize(256);
            for (int i = 0; i < 256; i++)
            {
                assertThat(positions[i]).isEqualTo(1_000 + i);
            }
            assertThat(journaledPositions(engine, 0, 10)).containsExactly(50, 51, 52);
            final ExternalSourcePublisher again = engine.externalSource("trades");
            assertThat(again.tryClaim(1, 1)).isEqualTo(1); // the ring is free again
            again.put(buffer, 0, 1_256);
            again.publishClaimed();
        }
    }

    /** The source positions journaled in a partition's event records, in order. */
    private static long[] journaledPositions(final Engine engine, final int partition, final int max)
    {
        final long[] positions = new long[max];
        final int[] count = {0};
        try (PartitionReader reader = engine.journal().topic(engine.journalTopicOf("trades")).partition(partition).newReader())
        {
            int read;
            do
            {
                read = reader.poll(record ->
                {
                    if (record.type() == RingSlot.EVENT)
                    {
                        positions[count[0]++] = record.buffer().getLong(
                            record.payloadOffset() + SourcePositionDescriptor.positionOffset(record.payloadLength()));
                    }
                }, max);
            }
            while (read > 0);
        }
        return java.util.Arrays.copyOf(positions, count[0]);
    }
}
