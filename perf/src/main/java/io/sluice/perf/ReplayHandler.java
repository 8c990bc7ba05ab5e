package io.sluice.perf;

import io.sluice.journal.RecordHandler;
import io.sluice.journal.RecordView;

/**
 * Replay consumer: reads the timestamp, key and first payload word of each record, the same reads
 * {@link RawMappedLog#scan} makes on the raw bytes, and folds them into {@link #sum} so the reads
 * cannot be eliminated. One instance per reader; no allocation per record.
 */
final class ReplayHandler implements RecordHandler
{
    /** Sum of every value read; consume it after polling. */
    long sum;

    @Override
    public void onRecord(final RecordView record)
    {
        sum += record.timestamp() + record.key() + record.buffer().getLong(record.payloadOffset());
    }
}
