@NullMarked
package dev.keysmith.config;

import org.jspecify.annotations.NullMarked;
