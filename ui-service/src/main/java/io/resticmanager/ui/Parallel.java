package io.resticmanager.ui;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Independent API reads of one page, each on its own virtual thread, so the page waits for the slowest call rather
 * than for their sum. A call's exception (an {@link ApiException} above all) comes out of {@link Call#get} as it was
 * thrown; closing waits for every call, so none outlives the request.
 */
final class Parallel implements AutoCloseable {
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** One started call. */
    static final class Call<T> {
        private final Future<T> future;

        private Call(Future<T> future) {
            this.future = future;
        }

        T get() {
            try {
                return future.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the API", e);
            }
        }
    }

    <T> Call<T> start(Supplier<T> call) {
        return new Call<>(threads.submit(call::get));
    }

    @Override
    public void close() {
        threads.close();
    }
}
