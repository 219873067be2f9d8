package io.resticmanager.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Chooses a restore drill's files from a snapshot listing, in one pass over any number of files: a weighted random
 * sample without replacement (Efraimidis–Spirakis: each file gets the key {@code ln(u) / weight}, the largest keys
 * win) that favours recently changed and large files — they are what a restore most often needs and what
 * exercises the most repository data — while every file keeps a chance. The sample holds at most {@code files}
 * files whose sizes add up to at most {@code maxBytes}; a file larger than that alone is never chosen.
 */
final class DrillSampler {
    /** One regular file of the snapshot: its absolute path, size and modification time as the snapshot records them. */
    record Candidate(String path, long size, Instant mtime) {
    }

    private record Keyed(Candidate candidate, double key) {
    }

    private final int files;
    private final long maxBytes;
    private final Instant reference;
    private final Random random;
    private final int capacity;
    /** The best keys so far, smallest on top (the one to drop first). */
    private final PriorityQueue<Keyed> reservoir = new PriorityQueue<>(Comparator.comparingDouble(Keyed::key));
    private long seen;

    /**
     * @param reference the snapshot's time: "recent" means changed shortly before it
     * @param random    the source of randomness (seeded in tests)
     */
    DrillSampler(int files, long maxBytes, Instant reference, Random random) {
        if (files < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a drill samples at least one file and one byte");
        }
        this.files = files;
        this.maxBytes = maxBytes;
        this.reference = reference == null ? Instant.now() : reference;
        this.random = random;
        // more than the sample: files that do not fit the byte budget together are skipped when choosing
        this.capacity = Math.min(files * 4, files + 4000);
    }

    /** Offers one regular file of the listing. */
    void offer(Candidate c) {
        seen++;
        if (c.size() > maxBytes) {
            return;
        }
        double u = 1.0 - random.nextDouble(); // (0, 1]
        double key = Math.log(u) / weight(c, reference, maxBytes);
        if (reservoir.size() < capacity) {
            reservoir.add(new Keyed(c, key));
        } else if (key > reservoir.peek().key()) {
            reservoir.poll();
            reservoir.add(new Keyed(c, key));
        }
    }

    /** How many files were offered. */
    long seen() {
        return seen;
    }

    /** The sample: best keys first, at most {@code files} files and {@code maxBytes} bytes together. */
    List<Candidate> sample() {
        List<Keyed> ranked = new ArrayList<>(reservoir);
        ranked.sort(Comparator.comparingDouble(Keyed::key).reversed());
        List<Candidate> chosen = new ArrayList<>();
        long bytes = 0;
        for (Keyed k : ranked) {
            if (chosen.size() >= files) {
                break;
            }
            if (bytes + k.candidate().size() <= maxBytes) {
                chosen.add(k.candidate());
                bytes += k.candidate().size();
            }
        }
        return chosen;
    }

    /**
     * A file's weight, 1 to 7: 1 for an old empty file, up to +3 for one changed at the snapshot (halving after a
     * week, a quarter after three…) and up to +3 for one as large as the byte budget (logarithmic in its size).
     */
    static double weight(Candidate c, Instant reference, long maxBytes) {
        double recency = 0;
        if (c.mtime() != null) {
            double ageDays = Math.max(0, Duration.between(c.mtime(), reference).toSeconds() / 86_400.0);
            recency = 1.0 / (1.0 + ageDays / 7.0);
        }
        double size = Math.min(1.0, Math.log1p(Math.max(0, c.size())) / Math.log1p(Math.max(2, maxBytes)));
        return 1.0 + 3.0 * recency + 3.0 * size;
    }
}
