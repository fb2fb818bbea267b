@NullMarked
package dev.keysmith.request;

import org.jspecify.annotations.NullMarked;
