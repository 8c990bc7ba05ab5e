package io.sluice.journal;

import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child process of {@link KillDashNineTest}: opens (recovering) the journal, then appends
 * deterministic records at full speed forever, printing {@code ACK <offset>} after every batch.
 * Each printed offset has been returned by {@code append}, i.e. acknowledged as JOURNALED; with staged
 * writes the batch is appended unpublished and acknowledged once {@code publishAppended} has written it.
 */
public final class JournalAppendChild
{
    private JournalAppendChild()
    {
    }

    /**
     * Entry point.
     *
     * @param args journal directory, segment length, and whether writes are staged.
     */
    public static void main(final String[] args)
    {
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        final JournalContext context = new JournalContext()
            .directory(Path.of(args[0]))
            .segmentLength(Integer.parseInt(args[1]))
            .indexIntervalBytes(4096)
            .stagedWrites(args.length > 2 && Boolean.parseBoolean(args[2]));
        final Journal journal = Journal.open(context);
        final PartitionWriter writer = journal.createTopic("t", 1).partition(0).writer();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
        out.println("READY " + writer.nextOffset());
        out.flush();
        long sequence = writer.nextOffset();
        while (true)
        {
            long last = -1;
            for (int i = 0; i < 1024; i++)
            {
                last = context.stagedWrites() ?
                    JournalTestSupport.appendUnpublished(writer, scratch, sequence++) : JournalTestSupport.append(writer, scratch, sequence++);
            }
            writer.publishAppended();
            out.println("ACK " + last);
            out.flush();
        }
    }
}
