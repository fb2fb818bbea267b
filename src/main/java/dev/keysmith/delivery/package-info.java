@NullMarked
package dev.keysmith.delivery;

import org.jspecify.annotations.NullMarked;
