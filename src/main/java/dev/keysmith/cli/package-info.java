/**
 * Keysmith's command line: {@code --help}, {@code --version}, and {@code check}, which tries a
 * setup (environment, config file, Slack, AWS, database) before it goes live.
 */
@NullMarked
package dev.keysmith.cli;

import org.jspecify.annotations.NullMarked;
