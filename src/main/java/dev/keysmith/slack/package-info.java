@NullMarked
package dev.keysmith.slack;

import org.jspecify.annotations.NullMarked;
