/**
 * Sluice perf module.
 */
package io.sluice.perf;
