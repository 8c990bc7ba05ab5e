/**
 * The live web dashboard of results and health.
 *
 * <p>{@link io.sluice.dashboard.ResultBoard} is the only part that touches the hot path: the sinks
 * it wraps copy each output into fixed off-heap seqlock slots on their partition thread, without
 * allocating or waiting. {@link io.sluice.dashboard.DashboardServer} runs an embedded Jetty server
 * and one low-priority thread that reads the board and the counters once per refresh period and
 * pushes a frame to every browser as a Server-Sent Event, dropping frames for browsers that do not
 * keep up. Threading, layouts and security are documented on each class and in docs/dashboard.md.
 */
package io.sluice.dashboard;
