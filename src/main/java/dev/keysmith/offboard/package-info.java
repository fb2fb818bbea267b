/**
 * Offboarding: removing an IAM user and everything it has, in the order IAM requires, audited step
 * by step and resumed by a stored job after a crash or an IAM outage. Below {@code request/} in the
 * package graph, so that requests (users that expire) and rotations (owners who leave) can start
 * one too.
 */
@NullMarked
package dev.keysmith.offboard;

import org.jspecify.annotations.NullMarked;
