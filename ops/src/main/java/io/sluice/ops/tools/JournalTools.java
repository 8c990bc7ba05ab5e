package io.sluice.ops.tools;

import java.nio.file.Files;
import java.nio.file.Path;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Topic;
import org.agrona.DirectBuffer;
import io.sluice.ops.cli.CliException;

/**
 * What the journal commands share: opening an existing journal and formatting bytes and numbers.
 */
final class JournalTools
{
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private JournalTools()
    {
    }

    /**
     * Opens a journal that must already exist, read-only: a mistyped path is reported rather than
     * created, and a journal a live daemon is writing is looked at, never recovered or changed.
     *
     * @param dir of the journal.
     * @return the open journal; the caller closes it.
     */
    static Journal openExisting(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new CliException("no journal at " + dir + ": not a directory");
        }
        return Journal.open(new JournalContext().directory(dir).readOnly(true));
    }

    /**
     * The partitions selected by a {@code --partition} option, or all of them when it is absent.
     *
     * @param topic      whose partitions are selected.
     * @param partitions ids given on the command line, or null for all.
     * @return the selected partition ids, in the order given.
     */
    static int[] selectPartitions(final Topic topic, final int[] partitions)
    {
        if (null == partitions || 0 == partitions.length)
        {
            final int[] all = new int[topic.partitionCount()];
            for (int i = 0; i < all.length; i++)
            {
                all[i] = i;
            }
            return all;
        }
        for (final int id : partitions)
        {
            if (id < 0 || id >= topic.partitionCount())
            {
                throw new CliException("topic '" + topic.name() + "' has partitions 0.." + (topic.partitionCount() - 1) +
                    ", not " + id);
            }
        }
        return partitions;
    }

    /**
     * Appends bytes as lower-case hex digits, two per byte.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @param out    to append to.
     */
    static void appendHex(final DirectBuffer buffer, final int offset, final int length, final StringBuilder out)
    {
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            out.append(HEX_DIGITS[b >>> 4]).append(HEX_DIGITS[b & 0xF]);
        }
    }

    /**
     * Appends the low bits of a value as {@code 0x} and a fixed number of hex digits.
     *
     * @param value  to append.
     * @param digits number of hex digits, 1 to 16.
     * @param out    to append to.
     */
    static void appendHex(final long value, final int digits, final StringBuilder out)
    {
        out.append("0x");
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            out.append(HEX_DIGITS[(int)(value >>> shift) & 0xF]);
        }
    }

    /**
     * Parses hex digits (an optional {@code 0x} prefix, even count) into bytes.
     *
     * @param hex    digits to parse.
     * @param origin named in the error message (e.g. "line 3").
     * @return the bytes.
     */
    static byte[] parseHex(final String hex, final String origin)
    {
        final String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        if ((digits.length() & 1) != 0)
        {
            throw new CliException(origin + ": odd number of hex digits in '" + hex + "'");
        }
        final byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            final int high = Character.digit(digits.charAt(2 * i), 16);
            final int low = Character.digit(digits.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                throw new CliException(origin + ": not hex: '" + hex + "'");
            }
            bytes[i] = (byte)((high << 4) | low);
        }
        return bytes;
    }

    /**
     * Parses a key: decimal, or hex with a {@code 0x} prefix (all 64 bits, so 0xffffffffffffffff is -1).
     *
     * @param text   to parse.
     * @param origin named in the error message.
     * @return the key.
     */
    static long parseKey(final String text, final String origin)
    {
        try
        {
            if (text.startsWith("0x") || text.startsWith("0X"))
            {
                return Long.parseUnsignedLong(text.substring(2), 16);
            }
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new CliException(origin + ": key must be a decimal or 0x-prefixed hex long, not '" + text + "'");
        }
    }
}
