/**
 * Sluice journal module.
 */
package io.sluice.journal;
