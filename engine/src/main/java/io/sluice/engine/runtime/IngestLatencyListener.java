package io.sluice.engine.runtime;

/**
 * Told, on the partition thread, how long each event took from publication to the end of its
 * processing (journal append and every pipeline). Must not allocate.
 */
@FunctionalInterface
public interface IngestLatencyListener
{
    /**
     * One event was processed.
     *
     * @param partition   of the event.
     * @param ingestNanos System.nanoTime() when it was published.
     * @param doneNanos   System.nanoTime() when its processing completed.
     */
    void onProcessed(int partition, long ingestNanos, long doneNanos);
}
