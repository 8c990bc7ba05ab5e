package io.sluice.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The header a {@link KafkaSink} puts on every output record (unless told not to,
 * {@link KafkaSinkContext#outputHeader(boolean)}): {@value #KEY}, naming the output by its partition and
 * its deterministic sequence within that partition, so that a consumer of an at-least-once sink (or of any sink across
 * a crash) drops a record whose (partition, sequence) it has already seen. Its value is 12 bytes, big-endian (network
 * order, as Kafka's own integer serializers write), readable without Sluice:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   partition (int32, big-endian)               |  0
 *  +---------------------------------------------------------------+
 *  |                                                               |  4
 *  +                   sequence (int64, big-endian)                +
 *  |                                                               |
 *  +---------------------------------------------------------------+  12
 * </pre>
 * <ul>
 *   <li>partition: the Kafka partition the sink wrote the record to (= the Sluice partition of the job that produced
 *       it); a consumer that re-partitions keeps the origin.</li>
 *   <li>sequence: the output's sequence within that partition, from 0, the same in every replay of the partition's
 *       input (a record sent again after a crash carries the sequence of its first send).</li>
 * </ul>
 * One header and not two: each header costs the producer its key's UTF-8 encoding, its length varints and its place
 * in the record on every send, and the broker and every consumer its parse; two headers of decimal text
 * ({@value #LEGACY_PARTITION_KEY}, {@value #LEGACY_SEQUENCE_KEY}: the format of earlier versions)
 * cost the partition's thread ~100 ns more per send than this one (perf/README.md, section 115). A later
 * layout gets a new key; {@link #partition(Headers)} and {@link #sequence(Headers)} also read the legacy headers, so a
 * topic written across an upgrade reads alike (Sluice itself never reads its outputs back: a restarted exactly-once
 * sink learns what Kafka committed from its bookkeeping group's offsets, not from the topic).
 *
 * <p>Thread safe: static methods without state.
 */
public final class OutputHeaderDescriptor
{
    /** The header's key. */
    public static final String KEY = "sluice.output";
    /** Offset of the partition in the value. */
    public static final int PARTITION_OFFSET = 0;
    /** Offset of the sequence in the value. */
    public static final int SEQUENCE_OFFSET = PARTITION_OFFSET + Integer.BYTES;
    /** Length of the value. */
    public static final int LENGTH = SEQUENCE_OFFSET + Long.BYTES;
    /** Key of the partition's header in the legacy format (decimal text), read but no longer written. */
    public static final String LEGACY_PARTITION_KEY = "sluice.partition";
    /** Key of the sequence's header in the legacy format (decimal text), read but no longer written. */
    public static final String LEGACY_SEQUENCE_KEY = "sluice.sequence";

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private OutputHeaderDescriptor()
    {
    }

    /**
     * A header value for an output.
     *
     * @param partition the Kafka partition the output goes to.
     * @param sequence  of the output within its partition.
     * @return a new array of {@link #LENGTH} bytes (a Kafka record keeps the value it is given).
     */
    public static byte[] encode(final int partition, final long sequence)
    {
        final byte[] value = new byte[LENGTH];
        INT.set(value, PARTITION_OFFSET, partition);
        LONG.set(value, SEQUENCE_OFFSET, sequence);
        return value;
    }

    /**
     * The partition of a {@value #KEY} header's value.
     *
     * @param value of the header.
     * @return the partition.
     * @throws IllegalArgumentException if the value is not {@link #LENGTH} bytes.
     */
    public static int partition(final byte[] value)
    {
        return (int)INT.get(checked(value), PARTITION_OFFSET);
    }

    /**
     * The sequence of a {@value #KEY} header's value.
     *
     * @param value of the header.
     * @return the sequence.
     * @throws IllegalArgumentException if the value is not {@link #LENGTH} bytes.
     */
    public static long sequence(final byte[] value)
    {
        return (long)LONG.get(checked(value), SEQUENCE_OFFSET);
    }

    /**
     * The partition a Sluice output record names, from its {@value #KEY} header or, for a record written before it, its
     * legacy {@value #LEGACY_PARTITION_KEY} header.
     *
     * @param headers of the record.
     * @return the partition.
     * @throws IllegalArgumentException if the record carries neither, or a malformed one.
     */
    public static int partition(final Headers headers)
    {
        final Header header = headers.lastHeader(KEY);
        return header != null ? partition(header.value()) : (int)legacy(headers, LEGACY_PARTITION_KEY);
    }

    /**
     * The sequence a Sluice output record carries, from its {@value #KEY} header or, for a record written before it, its
     * legacy {@value #LEGACY_SEQUENCE_KEY} header.
     *
     * @param headers of the record.
     * @return the sequence.
     * @throws IllegalArgumentException if the record carries neither, or a malformed one.
     */
    public static long sequence(final Headers headers)
    {
        final Header header = headers.lastHeader(KEY);
        return header != null ? sequence(header.value()) : legacy(headers, LEGACY_SEQUENCE_KEY);
    }

    private static byte[] checked(final byte[] value)
    {
        if (value == null || value.length != LENGTH)
        {
            throw new IllegalArgumentException("header '" + KEY + "' must hold " + LENGTH + " bytes (partition int32, sequence int64, " +
                "big-endian), not " + (value == null ? "none" : value.length));
        }
        return value;
    }

    private static long legacy(final Headers headers, final String key)
    {
        final Header header = headers.lastHeader(key);
        if (header == null || header.value() == null)
        {
            throw new IllegalArgumentException("not a Sluice output record: neither header '" + KEY + "' nor the legacy '" + key + "'");
        }
        final String text = new String(header.value(), StandardCharsets.US_ASCII);
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("legacy header '" + key + "' must hold decimal digits, not '" + text + "'", ex);
        }
    }
}
