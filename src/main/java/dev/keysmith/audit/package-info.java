@NullMarked
package dev.keysmith.audit;

import org.jspecify.annotations.NullMarked;
