package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

class CheckpointManifestTest
{
    @Test
    void shouldRoundTripSourcePositionsPerEntry()
    {
        final CheckpointManifest manifest = new CheckpointManifest(7, 1234, List.of(
            new PartitionCheckpoint("trades", 0, 10, "trades-0.cm", 4096, 100, 0xCAFE).withSourcePositions(new long[] {41, -1}),
            new PartitionCheckpoint("trades", 1, 20, "trades-1.cm", 4096, 100, 0xBEEF)));
        final CheckpointManifest decoded = CheckpointManifest.decode(manifest.encode(), "7.manifest");
        assertThat(decoded).isEqualTo(manifest);
        assertThat(decoded.find("trades", 0).sourcePosition(0)).isEqualTo(41);
        assertThat(decoded.find("trades", 0).sourcePosition(1)).isEqualTo(SourcePositions.NO_POSITION);
        assertThat(decoded.find("trades", 1).sourcePositions()).isEmpty();
        assertThat(decoded.find("trades", 1).sourcePosition(0)).isEqualTo(SourcePositions.NO_POSITION);
    }

    @Test
    void shouldRoundTripTheStateFilesLayout()
    {
        final CheckpointManifest manifest = new CheckpointManifest(8, 1234, List.of(
            new PartitionCheckpoint("trades", 0, 10, "trades-0.cm", 600_000, 524_388, 0xCAFE)
                .withSourcePositions(new long[] {41}).withFileLayout(0x1234_5678, new long[] {5_195, 275_531, 545_867})));
        final CheckpointManifest decoded = CheckpointManifest.decode(manifest.encode(), "8.manifest");
        assertThat(decoded).isEqualTo(manifest);
        assertThat(decoded.find("trades", 0).hasFileLayout()).isTrue();
        assertThat(decoded.find("trades", 0).fileCrc()).isEqualTo(0x1234_5678);
        assertThat(decoded.find("trades", 0).chunkOffsets()).containsExactly(5_195, 275_531, 545_867);
        assertThat(decoded.find("trades", 0).sourcePositions()).containsExactly(41);
    }

    @Test
    void shouldStillReadVersionTwoManifestsWithoutLayout()
    {
        final byte[] bytes = olderManifest(2);

        final PartitionCheckpoint entry = CheckpointManifest.decode(bytes, "3.manifest").find("trades", 2);
        assertThat(entry).isEqualTo(new PartitionCheckpoint("trades", 2, 55, "trades-2.cm", 4096, 10, 77).withSourcePositions(new long[] {9}));
        assertThat(entry.hasFileLayout()).isFalse();
    }

    @Test
    void shouldStillReadVersionOneManifestsWithoutPositions()
    {
        final byte[] bytes = olderManifest(1);

        final CheckpointManifest decoded = CheckpointManifest.decode(bytes, "3.manifest");
        assertThat(decoded.find("trades", 2)).isEqualTo(new PartitionCheckpoint("trades", 2, 55, "trades-2.cm", 4096, 10, 77));
    }

    @Test
    void shouldRejectABadSourcePositionCount()
    {
        final byte[] bytes = new CheckpointManifest(1, 1, List.of(
            new PartitionCheckpoint("t", 0, 0, "t-0.cm", 1, 1, 1).withSourcePositions(new long[] {5}))).encode();
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // ... count, 1 position | file CRC | chunk offset count (0) | CRC
        final int countOffset = bytes.length - 4 - Integer.BYTES - Integer.BYTES - Long.BYTES - Integer.BYTES;
        buffer.putInt(countOffset, 1_000_000);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        buffer.putInt(bytes.length - 4, (int)crc.getValue());
        assertThatThrownBy(() -> CheckpointManifest.decode(bytes, "1.manifest")).hasMessageContaining("bad source position count");
    }

    /**
     * A manifest of an older version as its writer laid it out: checkpoint 3, one partition (trades/2 at offset 55, file
     * trades-2.cm of 4,096 bytes, state of 10 bytes with CRC 77); from version 2 on, one source position (9).
     */
    private static byte[] olderManifest(final int version)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(CheckpointManifest.MAGIC).putInt(version).putLong(3).putLong(99).putInt(1);
        buffer.putShort((short)6).put("trades".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        buffer.putInt(2).putLong(55);
        buffer.putShort((short)11).put("trades-2.cm".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        buffer.putLong(4096).putInt(10).putInt(77);
        if (version >= 2)
        {
            buffer.putInt(1).putLong(9);
        }
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int)crc.getValue());
        return java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
}
