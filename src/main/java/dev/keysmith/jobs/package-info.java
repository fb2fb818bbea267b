@NullMarked
package dev.keysmith.jobs;

import org.jspecify.annotations.NullMarked;
