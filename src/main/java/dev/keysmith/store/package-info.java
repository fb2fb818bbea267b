@NullMarked
package dev.keysmith.store;

import org.jspecify.annotations.NullMarked;
