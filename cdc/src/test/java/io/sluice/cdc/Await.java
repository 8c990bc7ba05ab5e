package io.sluice.cdc;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on conditions with a deadline (never on fixed sleeps). */
final class Await
{
    private Await()
    {
    }

    static void until(final String what, final long timeoutSeconds, final BooleanSupplier condition)
    {
        until(what, timeoutSeconds, condition, () -> "");
    }

    static void until(final String what, final long timeoutSeconds, final BooleanSupplier condition, final Supplier<String> state)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutSeconds + " s waiting for " + what + " " + state.get());
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, ex);
            }
        }
    }
}
