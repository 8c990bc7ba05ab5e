package io.sluice.perf;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.sluice.journal.RecordDescriptor;
import org.agrona.BufferUtil;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the journal's per-record CRC32C (ns/record), to attribute the append gap: the journal's
 * way ({@code Segment.checksum}: position/limit on a {@link ByteBuffer} duplicate,
 * {@link CRC32C#update(ByteBuffer)}, then four {@link CRC32C#update(int)} calls for the frame length)
 * against the same checksummed bytes through the address-based intrinsic Agrona wraps
 * ({@link Crc32c#compute}, which needs {@code --add-opens java.base/java.util.zip=ALL-UNNAMED}), over
 * an in-cache frame.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar ChecksumBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/java.util.zip=ALL-UNNAMED")
@State(Scope.Thread)
public class ChecksumBenchmark
{
    /** Payload bytes per record. */
    @Param({"64", "256"})
    public int payloadLength;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer direct;
    private ByteBuffer view;
    private UnsafeBuffer buffer;
    private int frameLength;

    /**
     * Builds the frame.
     */
    @Setup
    public void setup()
    {
        direct = BufferUtil.allocateDirectAligned(4096, 64);
        buffer = new UnsafeBuffer(direct);
        buffer.putBytes(0, BenchmarkRecords.frame(payloadLength), 0, RecordDescriptor.alignedFrameLength(payloadLength));
        view = direct.duplicate();
        frameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
    }

    /**
     * As {@code Segment.checksum} computes it.
     *
     * @return the checksum.
     */
    @Benchmark
    public int journalWay()
    {
        final CRC32C crc = this.crc;
        crc.reset();
        view.limit(frameLength).position(RecordDescriptor.TYPE_OFFSET);
        crc.update(view);
        crc.update(frameLength);
        crc.update(frameLength >>> 8);
        crc.update(frameLength >>> 16);
        crc.update(frameLength >>> 24);
        return (int)crc.getValue();
    }

    /**
     * Only the ByteBuffer update of the journal's way, without the four single-byte length updates.
     *
     * @return the checksum.
     */
    @Benchmark
    public int byteBufferOnly()
    {
        final CRC32C crc = this.crc;
        crc.reset();
        view.limit(frameLength).position(RecordDescriptor.TYPE_OFFSET);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * The same bytes through the address-based intrinsic (Agrona {@link Crc32c}).
     *
     * @return the checksum.
     */
    @Benchmark
    public int agronaAddress()
    {
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET);
    }
}
