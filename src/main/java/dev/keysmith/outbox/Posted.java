package dev.keysmith.outbox;

/** Where Slack put a posted message: its channel and timestamp, which an edit names. */
public record Posted(String channel, String ts) {}
