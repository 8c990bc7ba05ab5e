package io.sluice.kafka;

import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.TimeoutException;

/**
 * A producer call that the Kafka client allows to repeat after it gave up waiting ({@code max.block.ms}
 * passed, the request still pending: {@code initTransactions}, {@code commitTransaction},
 * {@code abortTransaction}, {@code partitionsFor}), repeated until a deadline. The sink's producers wait at
 * most {@link KafkaSinkContext#sendBlockMillis} per call, so that a partition thread's send never waits
 * long; the committer's calls are repeated here up to {@link KafkaSinkContext#timeoutMillis} instead.
 */
final class PatientCall
{
    private PatientCall()
    {
    }

    /**
     * Runs {@code call}, again after each {@link TimeoutException}, until it returns or {@code timeoutMillis} passed.
     *
     * @param call          a producer call safe to repeat after a timeout.
     * @param timeoutMillis longest total wait.
     * @throws TimeoutException the last one, once the deadline passed.
     */
    static void run(final Runnable call, final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true)
        {
            try
            {
                call.run();
                return;
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadline >= 0)
                {
                    throw ex;
                }
            }
        }
    }
}
