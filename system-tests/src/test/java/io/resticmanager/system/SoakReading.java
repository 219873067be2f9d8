package io.resticmanager.system;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the stack holds at one moment of the soak: per service process its live heap after a full GC, open
 * descriptors and RSS; per SQLite database its size.
 */
record SoakReading(Map<String, Proc> processes, Map<String, BenchSqlite.Usage> databases) {
    record Proc(long heapBytes, long fds, long rssBytes) {
    }

    static SoakReading take(Stack stack) throws Exception {
        Map<String, Proc> processes = new LinkedHashMap<>();
        for (String service : Stack.SERVICES.keySet()) {
            long pid = stack.pid(service);
            // heap first: after the full GC, descriptors only an unreachable object still held are on their way out
            long heap = BenchProcess.liveHeapBytes(pid);
            processes.put(service, new Proc(heap, BenchProcess.openFds(pid), BenchProcess.rssBytes(pid)));
        }
        Map<String, BenchSqlite.Usage> databases = new LinkedHashMap<>();
        for (BenchSqlite.Usage db : BenchSqlite.readAll(stack.dataDir())) {
            databases.put(db.file(), db);
        }
        return new SoakReading(processes, databases);
    }

    /** Rows added to {@code table} of {@code db} between this reading and a later one. */
    long rowsAdded(SoakReading later, String db, String table) {
        return later.databases.get(db).table(table).rows() - databases.get(db).table(table).rows();
    }

    /** Bytes in use added to {@code table} of {@code db} between this reading and a later one. */
    long bytesAdded(SoakReading later, String db, String table) {
        return later.databases.get(db).table(table).bytes() - databases.get(db).table(table).bytes();
    }
}
