@NullMarked
package dev.keysmith.rotation;

import org.jspecify.annotations.NullMarked;
