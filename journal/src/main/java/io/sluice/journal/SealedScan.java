package io.sluice.journal;

/**
 * The walk of one sealed segment at open (one without a {@link SealMark} that matches it): every frame up to the record count its successor's base
 * offset implies, each CRC32C checked when verification is on, the indexes checked entry by entry
 * ({@link IndexCheck}). Walks only read the mapping, so {@link #scanAll} runs those of a partition's
 * sealed segments in parallel, on up to one thread per core: a partition's open costs its journal's
 * size divided by the cores instead of all of it on one. {@link PartitionRecovery} then gives the
 * verdicts in segment order, so what it refuses or repairs, and in what order, is as with one thread.
 *
 * <p>Threading: each walk has its own scanner and index check; {@link #scanAll} returns after every
 * walking thread has ended (happens-before through {@link Thread#join()}).
 */
final class SealedScan
{
    private final SegmentScanner scanner = new SegmentScanner();
    private final IndexCheck indexCheck;
    private Throwable failure;

    private SealedScan(final Segment segment)
    {
        final boolean missingIndex = segment.offsetIndex().entryCount() == 0 || segment.timeIndex().entryCount() == 0;
        this.indexCheck = missingIndex ? null : new IndexCheck(segment.offsetIndex(), segment.timeIndex());
    }

    /**
     * Walks every sealed segment: all of {@code segments} but the last, which is the tail (and may not
     * be open yet).
     *
     * @param segments        of the partition, in base-offset order, the sealed ones open.
     * @param bases           base offsets, aligned with {@code segments}.
     * @param skip            sealed segments not to walk (trusted by their {@link SealMark}); their walk is null.
     * @param verifyChecksums whether to check each checksummed frame's CRC32C.
     * @param currentBoot     of the running system: unchecksummed frames written in it are accepted.
     * @return the walks, aligned with {@code segments} (none for the tail).
     */
    static SealedScan[] scanAll(
        final Segment[] segments, final long[] bases, final boolean[] skip, final boolean verifyChecksums, final BootId currentBoot)
    {
        final int sealed = segments.length - 1;
        final SealedScan[] scans = new SealedScan[Math.max(0, sealed)];
        final int[] toWalk = new int[Math.max(0, sealed)];
        int walks = 0;
        for (int i = 0; i < sealed; i++)
        {
            if (!skip[i])
            {
                scans[i] = new SealedScan(segments[i]);
                toWalk[walks++] = i;
            }
        }
        BoundedParallelWork.run(walks, "sluice-journal-open-", w ->
        {
            final int i = toWalk[w];
            scans[i].walk(segments[i], bases[i + 1] - bases[i], verifyChecksums, currentBoot);
        });
        return scans;
    }

    private void walk(final Segment segment, final long expected, final boolean verifyChecksums, final BootId currentBoot)
    {
        if (expected < 0 || expected > Integer.MAX_VALUE)
        {
            return; // the verdict refuses the segment without a walk
        }
        try
        {
            scanner.scan(segment.buffer(), segment.newChecksumView(), verifyChecksums, SegmentDescriptor.legacy(segment.buffer()),
                SegmentDescriptor.writerBoot(segment.buffer()).sameAs(currentBoot), (int)expected, indexCheck);
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex; // rethrown by the verdict, in segment order
        }
    }

    /**
     * The scanner after the walk: record count, end position and reason, unchecksummed frames, maximum timestamp.
     *
     * @return the scanner.
     */
    SegmentScanner scanner()
    {
        return scanner;
    }

    /**
     * The check of the segment's indexes against the walk, or null when an index is missing or empty.
     *
     * @return the check or null.
     */
    IndexCheck indexCheck()
    {
        return indexCheck;
    }

    /**
     * Rethrows what the walk threw, if anything.
     */
    void rethrowFailure()
    {
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
    }
}
