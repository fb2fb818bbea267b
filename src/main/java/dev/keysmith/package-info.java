@NullMarked
package dev.keysmith;

import org.jspecify.annotations.NullMarked;
