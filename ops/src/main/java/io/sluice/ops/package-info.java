/**
 * The {@code sluice} command line and daemon: {@link io.sluice.ops.SluiceMain} is the entry point
 * the {@code ./sluice} launcher runs.
 *
 * <p>Commands are picocli commands, package-private and final, one class each:
 * <pre>
 *   sluice run --config FILE           RunCommand: the daemon (io.sluice.ops.daemon), until SIGTERM/SIGINT
 *   sluice stat [--dir DATA]           StatCommand: counters from the mapped counters file (io.sluice.ops.stat)
 *   sluice ctl status|top|checkpoint|pause|resume   CtlCommand: the ops console over JMX (io.sluice.ops.jmx)
 *   sluice replay --pipeline ...       ReplayCommand: backtest YAML pipelines over CSV/JSONL files
 *   sluice demo                        DemoCommand: the fraud desk driven by the load generator
 *   sluice demo journal                JournalDemoCommand: journal and replay generated events, report throughput
 *   sluice journal dump|stats|append|verify   JournalCommand and its subcommands: journal tools
 *   sluice version                     VersionCommand
 * </pre>
 *
 * <p>Exit codes: {@link io.sluice.ops.ExitCodes}. Every error ends in one line on standard error
 * naming the command and what went wrong; a stack trace is printed only for unexpected failures.
 *
 * <p>Threading: commands run on the main thread; {@code demo} starts one writer and then one reader
 * thread per partition and joins them before it returns.
 */
package io.sluice.ops;
