package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting in the runtime's tests: on a condition, never for a time, with a deadline generous enough for a busy machine. */
final class Await
{
    /** How long a condition may take on a machine whose cores are shared by several builds. */
    static final long DEADLINE_SECONDS = 120;

    private Await()
    {
    }

    /**
     * Waits until the condition holds, checking every millisecond.
     *
     * @param what      the condition, for the failure message.
     * @param condition to wait for.
     * @throws AssertionError if it does not hold within {@link #DEADLINE_SECONDS}.
     */
    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }
}
