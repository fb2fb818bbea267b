/** The Prometheus adapter of {@code core.Metrics}: {@link PrometheusMetrics}. */
@NullMarked
package dev.keysmith.metrics;

import org.jspecify.annotations.NullMarked;
