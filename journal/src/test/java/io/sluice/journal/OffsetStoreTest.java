/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.CRC32C;

import static io.sluice.journal.OffsetFileDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetStoreTest
{
    private static final int PARTITIONS = 3;

    @TempDir
    Path topicDir;

    private Path groupsDir()
    {
        return topicDir.resolve(GROUPS_DIRECTORY);
    }

    @Test
    void shouldStartWithNoCommittedOffsetsWhenFileIsMissing()
    {
        final OffsetStore store = OffsetStore.open(groupsDir(), "g1", PARTITIONS);

        assertThat(store.generation()).isZero();
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(store.committedOffset(p)).isEqualTo(NULL_OFFSET);
        }
        assertThat(store.file()).doesNotExist();
    }

    @Test
    void shouldReloadStoredOffsetsAndGeneration()
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(7, new long[]{ 10, NULL_OFFSET, 0 });

        final OffsetStore reopened = OffsetStore.open(groupsDir(), "g1", PARTITIONS);

        assertThat(reopened.generation()).isEqualTo(7);
        assertThat(reopened.committedOffset(0)).isEqualTo(10);
        assertThat(reopened.committedOffset(1)).isEqualTo(NULL_OFFSET);
        assertThat(reopened.committedOffset(2)).isZero();
        assertThat(reopened.file()).hasSize(fileLength(PARTITIONS));
    }

    @Test
    void shouldWriteTheDocumentedLayout() throws IOException
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(5, new long[]{ 1, 2, 3 });

        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(groupsDir().resolve("g1.offsets")))
            .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(bytes.array(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("SLGO");
        assertThat(bytes.getInt(VERSION_OFFSET)).isEqualTo(VERSION);
        assertThat(bytes.getInt(PARTITION_COUNT_OFFSET)).isEqualTo(PARTITIONS);
        assertThat(bytes.getLong(GENERATION_OFFSET)).isEqualTo(5);
        assertThat(bytes.getLong(committedOffsetOffset(2))).isEqualTo(3);
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, checksumOffset(PARTITIONS));
        assertThat(bytes.getInt(checksumOffset(PARTITIONS))).isEqualTo((int)crc.getValue());
    }

    @Test
    void shouldCreateOwnerOnlyFileAndDirectory() throws IOException
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(1, new long[]{ 1, 2, 3 });

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(groupsDir())))
            .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(groupsDir().resolve("g1.offsets"))))
            .isEqualTo("rw-------");
        assertThat(groupsDir().resolve("g1.offsets.tmp")).doesNotExist();
    }

    @Test
    void shouldDiscardLeftoverTempFileFromInterruptedWrite() throws IOException
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(1, new long[]{ 1, 2, 3 });
        Files.write(groupsDir().resolve("g1.offsets.tmp"), new byte[]{ 1, 2, 3 });

        final OffsetStore reopened = OffsetStore.open(groupsDir(), "g1", PARTITIONS);

        assertThat(reopened.committedOffset(2)).isEqualTo(3);
        assertThat(groupsDir().resolve("g1.offsets.tmp")).doesNotExist();
    }

    @Test
    void shouldRejectChecksumMismatchNamingTheFile() throws IOException
    {
        final Path file = storeAndCorrupt(committedOffsetOffset(1), (byte)0x7F);

        assertCorrupt(file, OffsetFileCorruptException.Defect.CHECKSUM_MISMATCH);
    }

    @Test
    void shouldRejectBadMagic() throws IOException
    {
        final Path file = storeAndCorrupt(MAGIC_OFFSET, (byte)'X');

        assertCorrupt(file, OffsetFileCorruptException.Defect.BAD_MAGIC);
    }

    @Test
    void shouldRejectUnsupportedVersion() throws IOException
    {
        final Path file = storeAndCorrupt(VERSION_OFFSET, (byte)9);

        assertCorrupt(file, OffsetFileCorruptException.Defect.UNSUPPORTED_VERSION);
    }

    @Test
    void shouldRejectTruncatedFile() throws IOException
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(1, new long[]{ 1, 2, 3 });
        final Path file = groupsDir().resolve("g1.offsets");
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));

        assertCorrupt(file, OffsetFileCorruptException.Defect.BAD_LENGTH);
    }

    @Test
    void shouldRejectEmptyFile() throws IOException
    {
        Files.createDirectories(groupsDir());
        final Path file = Files.createFile(groupsDir().resolve("g1.offsets"));

        assertCorrupt(file, OffsetFileCorruptException.Defect.BAD_LENGTH);
    }

    @Test
    void shouldRejectFileForDifferentPartitionCount()
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(1, new long[]{ 1, 2, 3 });

        assertThatThrownBy(() -> OffsetStore.open(groupsDir(), "g1", PARTITIONS + 1))
            .isInstanceOfSatisfying(OffsetFileCorruptException.class, ex ->
                assertThat(ex.defect()).isEqualTo(OffsetFileCorruptException.Defect.PARTITION_COUNT_MISMATCH));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", ".", "..", ".hidden", "a/b", "../escape", "a\\b", "with space", "nul\0", "é" })
    void shouldRejectUnsafeGroupNames(final String name)
    {
        assertThatThrownBy(() -> OffsetStore.open(groupsDir(), name, PARTITIONS))
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.INVALID_ARGUMENT))
            .hasMessageContaining("group name");
        assertThat(groupsDir()).doesNotExist();
    }

    @Test
    void shouldRejectOverlongGroupName()
    {
        assertThatThrownBy(() -> ConsumerGroup.validateName("g".repeat(OffsetStore.MAX_GROUP_NAME_LENGTH + 1)))
            .isInstanceOf(GroupException.class)
            .hasMessageContaining("longer than");
    }

    @ParameterizedTest
    @ValueSource(strings = { "g", "orders-v2", "fraud_alerts.eu", "A0" })
    void shouldAcceptSafeGroupNames(final String name)
    {
        ConsumerGroup.validateName(name);
    }

    private Path storeAndCorrupt(final int offset, final byte value) throws IOException
    {
        OffsetStore.open(groupsDir(), "g1", PARTITIONS).store(1, new long[]{ 1, 2, 3 });
        final Path file = groupsDir().resolve("g1.offsets");
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] = value;
        Files.write(file, bytes);
        return file;
    }

    private void assertCorrupt(final Path file, final OffsetFileCorruptException.Defect defect)
    {
        assertThatThrownBy(() -> OffsetStore.open(groupsDir(), "g1", PARTITIONS))
            .isInstanceOfSatisfying(OffsetFileCorruptException.class, ex ->
            {
                assertThat(ex.defect()).isEqualTo(defect);
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.CORRUPT_OFFSETS);
                assertThat(ex.file()).isEqualTo(file);
            })
            .hasMessageContaining(file.toString())
            .hasMessageContaining(defect.name());
    }
}
