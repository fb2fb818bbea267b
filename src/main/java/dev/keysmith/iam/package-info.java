@NullMarked
package dev.keysmith.iam;

import org.jspecify.annotations.NullMarked;
