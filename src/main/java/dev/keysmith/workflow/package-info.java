@NullMarked
package dev.keysmith.workflow;

import org.jspecify.annotations.NullMarked;
