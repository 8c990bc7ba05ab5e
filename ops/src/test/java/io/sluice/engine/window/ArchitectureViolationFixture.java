package io.sluice.engine.window;

import io.sluice.engine.runtime.Engine;

/**
 * A deliberate violation for ArchitectureTest: an operator-level class that reaches up into the
 * engine runtime. Test sources only; the real check imports production classes alone.
 */
public final class ArchitectureViolationFixture
{
    private ArchitectureViolationFixture()
    {
    }

    /**
     * The dependency the layer rules must catch.
     *
     * @param engine any.
     * @return whether it is closed.
     */
    public static boolean reachUp(final Engine engine)
    {
        return engine == null;
    }
}
