@NullMarked
package dev.keysmith.core;

import org.jspecify.annotations.NullMarked;
