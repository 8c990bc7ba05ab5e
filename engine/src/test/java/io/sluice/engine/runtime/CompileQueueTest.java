package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompileQueueTest
{
    @Test
    void shouldCountEveryCompilationRunningOrQueuedAndNothingElse()
    {
        final String listing = String.join("\n",
            "Current compiles: ",
            "C2 CompilerThread0   501       4       jdk.internal.misc.Unsafe::allocateUninitializedArray0 (90 bytes)",
            "",
            "C1 compile queue:",
            "Empty",
            "",
            "C2 compile queue:",
            " 503       4       java.lang.StringConcatHelper::newString (67 bytes)",
            " 505       4       jdk.internal.misc.Unsafe::allocateUninitializedArray (55 bytes)",
            "",
            "");

        assertThat(CompileQueue.countTasks(listing)).isEqualTo(3);
    }

    @Test
    void shouldCountNoneWhenBothQueuesAreEmptyAndNothingCompiles()
    {
        assertThat(CompileQueue.countTasks("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n")).isZero();
    }

    @Test
    void shouldReadTheQueuesOfThisJvm()
    {
        // HotSpot lists its queues through the DiagnosticCommand MBean; a count, whatever the JIT is doing now.
        assertThat(CompileQueue.ofThisJvm().tasks()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldSayHowTheWarmUpEndedInOneLine()
    {
        assertThat(new EngineWarmUp.Settled(0, 0, 1_000_000).describe()).isEqualTo("JIT compile queues empty at the end of the warm-up");
        assertThat(new EngineWarmUp.Settled(3, 0, 412_000_000).describe()).isEqualTo("JIT compile queues empty after 3 more warm-up passes (412 ms)");
        assertThat(new EngineWarmUp.Settled(40, 7, 5_020_000_000L).describe())
            .isEqualTo("JIT still compiling after 40 more warm-up passes (5,020 ms): 7 compilations in hand, the first events may run code not compiled yet");
        assertThat(new EngineWarmUp.Settled(0, CompileQueue.UNREADABLE, 0).describe()).contains("not readable");
    }
}
