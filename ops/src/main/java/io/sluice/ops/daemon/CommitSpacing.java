package io.sluice.ops.daemon;

/**
 * The commit spacing ({@code min_commit_spacing}) a daemon applies to one exactly-once Kafka sink, and why: the
 * daemon logs it at start-up, so that an operator sees which spacing runs without reading the defaults.
 *
 * @param millis          shortest time between the starts of two commits of a partition; 0 for none.
 * @param whileInputWaits whether the spacing holds only while input waits for the partition (the daemon reads a
 *                        {@code kafka} ingress and tells its sinks); else it holds every commit.
 * @param reason          why this spacing applies.
 */
public record CommitSpacing(long millis, boolean whileInputWaits, Reason reason)
{
    /** Why a sink has the spacing it has. */
    public enum Reason
    {
        /** The sink's section sets {@code min_commit_spacing}. */
        CONFIG("set by min_commit_spacing"),
        /** The default of a daemon reading a {@code kafka} ingress ({@link DaemonConfig#KAFKA_FED_COMMIT_SPACING_MS}). */
        KAFKA_INGRESS_DEFAULT("the default of a daemon reading a kafka ingress"),
        /** No {@code kafka} ingress: nothing would tell the sink that input waits, so a spacing would hold every commit. */
        NO_KAFKA_INGRESS("the daemon reads no kafka ingress, so nothing tells the sink that input waits"),
        /** A scale-out member's sinks are not told whether input waits. */
        SCALE_OUT_MEMBER("a scale-out member's sinks are not told whether input waits"),
        /** The default with {@code max_commit_delay} would reach half the transaction timeout. */
        TRANSACTION_TIMEOUT("the default with max_commit_delay would reach half the transaction timeout");

        private final String text;

        Reason(final String text)
        {
            this.text = text;
        }

        /**
         * The reason as the start-up line gives it.
         *
         * @return a phrase.
         */
        public String text()
        {
            return text;
        }
    }

    /**
     * The start-up line's text, e.g. {@code commits >= 200 ms apart while input waits (the default of a daemon reading
     * a kafka ingress)} or {@code no commit spacing (the daemon reads no kafka ingress, ...)}.
     *
     * @return one line.
     */
    public String describe()
    {
        final String spacing = millis == 0 ? "no commit spacing" :
            "commits >= " + millis + " ms apart " + (whileInputWaits ? "while input waits" : "always (nothing tells the sink that input waits)");
        return spacing + " (" + reason.text() + ")";
    }
}
