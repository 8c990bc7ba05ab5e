package io.sluice.journal;

import java.nio.file.Path;

/**
 * Something recovery did when a partition was opened, for operators to see: a torn tail truncated,
 * garbage after the tail zeroed, a missing index rebuilt.
 *
 * @param file         the segment file concerned.
 * @param position     byte position in the file where the action applied.
 * @param bytesDropped number of bytes discarded (0 when nothing was).
 * @param description  what was found and what was done.
 */
public record RecoveryEvent(Path file, long position, long bytesDropped, String description)
{
    @Override
    public String toString()
    {
        return file + " @" + position + ": " + description + (bytesDropped > 0 ? " (" + bytesDropped + " bytes dropped)" : "");
    }
}
