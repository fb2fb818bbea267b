/**
 * How Keysmith's log lines look: plain text by default, one JSON object per line when {@code
 * KEYSMITH_LOG_FORMAT=json}. Named only by {@code logback.xml}; no other package depends on it.
 */
@NullMarked
package dev.keysmith.logs;

import org.jspecify.annotations.NullMarked;
