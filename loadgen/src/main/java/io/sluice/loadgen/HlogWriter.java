package io.sluice.loadgen;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes an HdrHistogram interval log (.hlog, format 1.3, read by {@code HistogramLogReader} and the HdrHistogram
 * tools) for the once-a-second report, at a fraction of {@link HistogramLogWriter}'s CPU: the header through
 * {@link HistogramLogWriter} once, then each interval line here, with one reused {@link Deflater} at
 * {@link Deflater#BEST_SPEED} (the library makes a new one at level 9 per line), reused buffers and one write per
 * line. A line, as the library writes it:
 *
 * <pre>
 *   Tag=&lt;tag&gt;,&lt;start s&gt;,&lt;length s&gt;,&lt;max / 1e6&gt;,&lt;base64 of the compressed histogram&gt;
 *
 *   compressed histogram: int cookie 0x1c849314 (V2, compressed) | int deflated length | deflated V2 encoding
 * </pre>
 *
 * <p>Times are the histogram's start and end time stamps (ms) relative to the log's base time, printed with three
 * decimals. Threading: one writer thread.
 */
public final class HlogWriter implements AutoCloseable
{
    private static final int V2_COMPRESSED_COOKIE = 0x1c849314;
    private static final byte[] BASE64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final long baseTimeMs;
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private ByteBuffer encoded = ByteBuffer.allocate(0);
    private byte[] compressed = new byte[1024];
    private byte[] line = new byte[4096];
    private int length;

    /**
     * Creates the file and writes the header: the comments, the format version, the start time, the base time
     * (the same) and the legend.
     *
     * @param file        to create (replaced if it exists).
     * @param comments    one {@code #} line each.
     * @param startTimeMs wall-clock start of the log; interval times are relative to it.
     * @throws IOException if the file cannot be written.
     */
    public HlogWriter(final Path file, final List<String> comments, final long startTimeMs) throws IOException
    {
        this(Files.newOutputStream(file), startTimeMs);
        // The header is written once: the library's writer, unbuffered, straight to the same stream.
        final HistogramLogWriter header = new HistogramLogWriter(new PrintStream(out, false, StandardCharsets.UTF_8));
        comments.forEach(header::outputComment);
        header.outputLogFormatVersion();
        header.outputStartTime(startTimeMs);
        header.setBaseTime(startTimeMs);
        header.outputLegend();
    }

    /**
     * A writer of interval lines only, no header, to a stream (the load generator's warm-up of its reports writes to
     * nowhere).
     *
     * @param out         to write to; closed by {@link #close()}.
     * @param startTimeMs wall-clock start of the log; interval times are relative to it.
     */
    HlogWriter(final OutputStream out, final long startTimeMs)
    {
        this.out = out;
        baseTimeMs = startTimeMs;
    }

    /**
     * Appends one interval line.
     *
     * @param tag       of the line (no comma, space or line break).
     * @param histogram of the interval, with its start and end time stamps set.
     * @throws IOException if the line cannot be written.
     */
    public void write(final String tag, final AbstractHistogram histogram) throws IOException
    {
        write(tag, histogram, () -> { });
    }

    /**
     * Appends one interval line, running {@code afterEncoding} between the histogram's encoding (a walk of its buckets
     * up to its largest value) and the rest (the deflate, the base64 and the write): the load generator's reporter
     * yields its CPU to the sender there ({@link ReportSteps}).
     *
     * @param tag           of the line (no comma, space or line break).
     * @param histogram     of the interval, with its start and end time stamps set.
     * @param afterEncoding run once the histogram is encoded.
     * @throws IOException if the line cannot be written.
     */
    public void write(final String tag, final AbstractHistogram histogram, final Runnable afterEncoding) throws IOException
    {
        if (tag.indexOf(',') >= 0 || tag.indexOf(' ') >= 0 || tag.indexOf('\n') >= 0 || tag.indexOf('\r') >= 0)
        {
            throw new IllegalArgumentException("hlog tag must not contain commas, spaces or line breaks: '" + tag + "'");
        }
        final int encodedLength = encode(histogram);
        afterEncoding.run();
        final int compressedLength = compress(encodedLength);
        length = 0;
        append("Tag=");
        append(tag);
        append(',');
        appendThousandths(histogram.getStartTimeStamp() - baseTimeMs);
        append(',');
        appendThousandths(histogram.getEndTimeStamp() - histogram.getStartTimeStamp());
        append(',');
        // max / 1e6 to three decimals, half up: the microseconds, rounded.
        appendThousandths((histogram.getMaxValue() + 500) / 1000);
        append(',');
        appendBase64(compressed, compressedLength);
        append('\n');
        out.write(line, 0, length);
    }

    /**
     * Closes the file.
     *
     * @throws IOException if it cannot be closed.
     */
    @Override
    public void close() throws IOException
    {
        deflater.end();
        out.close();
    }

    private int encode(final AbstractHistogram histogram)
    {
        final int needed = histogram.getNeededByteBufferCapacity();
        if (encoded.capacity() < needed)
        {
            encoded = ByteBuffer.allocate(needed).order(ByteOrder.BIG_ENDIAN);
        }
        encoded.clear();
        return histogram.encodeIntoByteBuffer(encoded);
    }

    private int compress(final int encodedLength)
    {
        deflater.reset();
        deflater.setInput(encoded.array(), 0, encodedLength);
        deflater.finish();
        int at = 8;
        while (!deflater.finished())
        {
            if (at == compressed.length)
            {
                compressed = Arrays.copyOf(compressed, compressed.length * 2);
            }
            at += deflater.deflate(compressed, at, compressed.length - at);
        }
        final ByteBuffer head = ByteBuffer.wrap(compressed, 0, 8).order(ByteOrder.BIG_ENDIAN);
        head.putInt(V2_COMPRESSED_COOKIE).putInt(at - 8);
        return at;
    }

    private void appendThousandths(final long value)
    {
        if (value < 0)
        {
            append('-');
        }
        final long abs = Math.abs(value);
        append(Long.toString(abs / 1000));
        append('.');
        final long fraction = abs % 1000;
        append((char)('0' + fraction / 100));
        append((char)('0' + fraction / 10 % 10));
        append((char)('0' + fraction % 10));
    }

    private void appendBase64(final byte[] bytes, final int count)
    {
        ensure(4 * ((count + 2) / 3));
        int i = 0;
        for (; i + 2 < count; i += 3)
        {
            final int bits = (bytes[i] & 0xff) << 16 | (bytes[i + 1] & 0xff) << 8 | bytes[i + 2] & 0xff;
            line[length++] = BASE64[bits >>> 18];
            line[length++] = BASE64[bits >>> 12 & 0x3f];
            line[length++] = BASE64[bits >>> 6 & 0x3f];
            line[length++] = BASE64[bits & 0x3f];
        }
        if (i < count)
        {
            final int bits = (bytes[i] & 0xff) << 16 | (i + 1 < count ? (bytes[i + 1] & 0xff) << 8 : 0);
            line[length++] = BASE64[bits >>> 18];
            line[length++] = BASE64[bits >>> 12 & 0x3f];
            line[length++] = i + 1 < count ? BASE64[bits >>> 6 & 0x3f] : (byte)'=';
            line[length++] = '=';
        }
    }

    private void append(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, line, length, bytes.length);
        length += bytes.length;
    }

    private void append(final char c)
    {
        ensure(1);
        line[length++] = (byte)c;
    }

    private void ensure(final int more)
    {
        if (length + more > line.length)
        {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + more));
        }
    }
}
