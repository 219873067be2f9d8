package io.resticmanager.jobs;

import io.resticmanager.common.Wakeup;

/**
 * What to poke after a committed change: the live streams of a job, the dispatcher (a repository or
 * host may have become free), the result sender (a job finished) and the schedule worker (a schedule
 * changed, a host came online or an agent fired a schedule).
 */
final class Signals {
    private final LogFanout fanout;
    private final Wakeup dispatcher = new Wakeup();
    private final Wakeup results = new Wakeup();
    private final Wakeup schedules = new Wakeup();
    private volatile java.util.function.Consumer<String> finishedListener = jobId -> {
    };

    Signals(LogFanout fanout) {
        this.fanout = fanout;
    }

    LogFanout fanout() {
        return fanout;
    }

    Wakeup dispatcherWakeup() {
        return dispatcher;
    }

    Wakeup resultsWakeup() {
        return results;
    }

    Wakeup schedulesWakeup() {
        return schedules;
    }

    void schedules() {
        schedules.wake();
    }

    void jobChanged(String jobId) {
        fanout.changed(jobId);
    }

    /** Who hears of every finished job besides the loops above (the alert rules). */
    void onJobFinished(java.util.function.Consumer<String> listener) {
        this.finishedListener = listener;
    }

    /** A job reached a terminal status: its repository is free, its result must go to inventory, alerts decide. */
    void jobFinished(String jobId) {
        fanout.finished(jobId);
        fanout.changed(jobId);
        dispatcher.wake();
        results.wake();
        finishedListener.accept(jobId);
    }

    void dispatch() {
        dispatcher.wake();
    }
}
