package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The text a commit records beside the next output sequence, and what a restart reads back from it,
 * including what an older version wrote ({@code checkpoint <c>} alone).
 */
class TransactionalPartitionMetadataTest
{
    private static final long NONE = TransactionalPartition.NONE;

    @Test
    void shouldReadBackTheCheckpointAndTheOneCoveringEveryPartition()
    {
        final String metadata = TransactionalPartition.metadata(42, 40);
        assertThat(metadata).isEqualTo("checkpoint 42 all 40");
        assertThat(TransactionalPartition.parseCheckpoint(metadata)).isEqualTo(42);
        assertThat(TransactionalPartition.parseCoveringAll(metadata)).isEqualTo(40);
    }

    @Test
    void shouldLeaveOutAnUnknownCoveringCheckpointAndReadTheOlderFormat()
    {
        assertThat(TransactionalPartition.metadata(7, NONE)).isEqualTo("checkpoint 7");
        assertThat(TransactionalPartition.parseCheckpoint("checkpoint 7")).isEqualTo(7);
        assertThat(TransactionalPartition.parseCoveringAll("checkpoint 7")).isEqualTo(NONE);
    }

    @Test
    void shouldTreatMissingOrForeignMetadataAsNothingCommitted()
    {
        for (final String metadata : new String[] {null, "", "offsets of another tool", "checkpoint x", "checkpoint 3 all y"})
        {
            assertThat(TransactionalPartition.parseCoveringAll(metadata)).as(metadata).isEqualTo(NONE);
        }
        assertThat(TransactionalPartition.parseCheckpoint(null)).isEqualTo(NONE);
        assertThat(TransactionalPartition.parseCheckpoint("checkpoint x")).isEqualTo(NONE);
        assertThat(TransactionalPartition.parseCheckpoint("checkpoint 3 all y")).isEqualTo(3);
    }
}
