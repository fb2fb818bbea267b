package dev.keysmith.jobs;

/**
 * The stored jobs not finished yet, for the health check.
 *
 * @param pending jobs waiting for their time or running
 * @param overdue waiting jobs due more than {@link JobStore#OVERDUE_AFTER} ago: the timer should
 *     have run them by then
 */
public record JobBacklog(long pending, long overdue) {}
