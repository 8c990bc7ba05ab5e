/**
 * The {@code sluice} command line and daemon: {@link io.sluice.ops.SluiceMain} is the entry point
 * the {@code ./sluice} launcher runs.
 *
 * <p>Commands are picocli commands, final, one class each. The daemon's commands live here; the
 * journal tools in {@code io.sluice.ops.tools}; the demo and load generator commands, the only code
 * of ops that uses the load generator, in {@code io.sluice.ops.demo}; what they share (exit codes,
 * the user-facing exception, the version) in {@code io.sluice.ops.cli}:
 * <pre>
 *   sluice run --config FILE           RunCommand: the daemon (io.sluice.ops.daemon), until SIGTERM/SIGINT
 *   sluice stat [--dir DATA]           StatCommand: counters from the mapped counters file (io.sluice.ops.stat)
 *   sluice ctl status|top|checkpoint|pause|resume   CtlCommand: the ops console over JMX (io.sluice.ops.jmx)
 *   sluice replay --pipeline ...       ReplayCommand: backtest YAML pipelines over CSV/JSONL files
 *   sluice demo                        demo.DemoCommand: the fraud desk driven by the load generator
 *   sluice demo journal                demo.JournalDemoCommand: journal and replay generated events, report throughput
 *   sluice journal dump|stats|append|verify   tools.JournalCommand and its subcommands: journal tools
 *   sluice loadgen ...                 demo.LoadgenCommand: the load generator against a daemon or an embedded engine
 *   sluice version                     VersionCommand
 * </pre>
 *
 * <p>Exit codes: {@link io.sluice.ops.cli.ExitCodes}. Every error ends in one line on standard error
 * naming the command and what went wrong; a stack trace is printed only for unexpected failures.
 *
 * <p>Threading: commands run on the main thread; {@code demo} starts one writer and then one reader
 * thread per partition and joins them before it returns.
 */
package io.sluice.ops;
