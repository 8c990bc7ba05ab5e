package io.sluice.perf;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.sluice.journal.RecordDescriptor;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * an in-cache frame; and the staged writer's pass over a run of {@value #RUN_FRAMES} frames before its {@code pwrite}
 * ({@code RecordChecksum.storeRun}, mirrored here as the journal's class is package-private): frame by frame through the
 * {@link UnsafeBuffer} (the path before section 122 of perf/README.md), by address, one CRC32C over the whole run (the
 * bound of a checksum per run instead of per record, a format this journal does not have), and a copy of the run (the
 * raw memcpy the journal's append is measured against). The run benchmarks count one operation per frame.
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
    /** Frames in a run: a processing thread's full turn. */
    static final int RUN_FRAMES = 1024;

    /** Payload bytes per record: 24 is the peer comparison's order event, the live engine's journal record. */
    @Param({"24", "64", "256"})
    public int payloadLength;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer direct;
    private ByteBuffer view;
    private UnsafeBuffer buffer;
    private int frameLength;
    private UnsafeBuffer run;
    private UnsafeBuffer runCopy;
    private int runLength;

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
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        runLength = RUN_FRAMES * aligned;
        run = new UnsafeBuffer(BufferUtil.allocateDirectAligned(runLength, 64));
        runCopy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(runLength, 64));
        for (int at = 0; at < runLength; at += aligned)
        {
            run.putBytes(at, buffer, 0, aligned);
            run.putLong(at + RecordDescriptor.TIMESTAMP_OFFSET, at); // frames that differ, as a run's do
        }
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

    /**
     * A run's checksums frame by frame through the buffer, as the staged writer stored them before section 122.
     *
     * @return the last frame's stored checksum.
     */
    @Benchmark
    @OperationsPerInvocation(RUN_FRAMES)
    public int runFrameByFrame()
    {
        final UnsafeBuffer frames = run;
        final int length = runLength;
        int at = 0;
        int crc = 0;
        while (at < length)
        {
            final int frameLength = frames.getInt(at + RecordDescriptor.LENGTH_OFFSET);
            crc = Crc32c.INSTANCE.compute(
                frames.addressOffset(), at + RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET);
            frames.putInt(at + RecordDescriptor.CRC_OFFSET,
                crc == RecordDescriptor.UNCHECKSUMMED ? RecordDescriptor.CRC_ALIAS : crc);
            at += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return crc;
    }

    /**
     * A run's checksums in one pass by address, as {@code RecordChecksum.storeRun} stores them.
     *
     * @return the last frame's stored checksum.
     */
    @Benchmark
    @OperationsPerInvocation(RUN_FRAMES)
    public int runByAddress()
    {
        final Crc32c crc32c = Crc32c.INSTANCE;
        final long end = run.addressOffset() + runLength;
        int crc = 0;
        for (long frame = run.addressOffset(); frame < end; )
        {
            final int frameLength = UnsafeApi.getInt(null, frame + RecordDescriptor.LENGTH_OFFSET);
            crc = crc32c.compute(frame, RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET);
            UnsafeApi.putInt(null, frame + RecordDescriptor.CRC_OFFSET,
                crc == RecordDescriptor.UNCHECKSUMMED ? RecordDescriptor.CRC_ALIAS : crc);
            frame += frameLength + RecordDescriptor.FRAME_ALIGNMENT - 1 & -RecordDescriptor.FRAME_ALIGNMENT;
        }
        return crc;
    }

    /**
     * One CRC32C over the whole run: what a checksum per run would cost per record.
     *
     * @return the checksum.
     */
    @Benchmark
    @OperationsPerInvocation(RUN_FRAMES)
    public int runOneChecksum()
    {
        return Crc32c.INSTANCE.compute(
            run.addressOffset(), RecordDescriptor.TYPE_OFFSET, runLength - RecordDescriptor.TYPE_OFFSET);
    }

    /**
     * A copy of the run's bytes: the raw memcpy the append is compared with.
     *
     * @return a byte of the copy.
     */
    @Benchmark
    @OperationsPerInvocation(RUN_FRAMES)
    public long runCopy()
    {
        UnsafeApi.copyMemory(null, run.addressOffset(), null, runCopy.addressOffset(), runLength);
        return runCopy.getLong(runLength - Long.BYTES);
    }
}
