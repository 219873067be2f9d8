package io.resticmanager.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The drill's sample: bounded by count and bytes, random, and biased to recently changed and large files. */
class DrillSamplerTest {
    private static final Instant SNAPSHOT = Instant.parse("2026-11-26T03:00:00Z");

    private static DrillSampler.Candidate file(String path, long size, Duration age) {
        return new DrillSampler.Candidate(path, size, SNAPSHOT.minus(age));
    }

    @Test
    void theSampleKeepsToItsCountAndItsBytesAndSkipsFilesLargerThanTheBudget() {
        DrillSampler sampler = new DrillSampler(10, 1000, SNAPSHOT, new Random(1));
        for (int i = 0; i < 500; i++) {
            sampler.offer(file("/data/f" + i, 50 + i % 200, Duration.ofDays(i % 30)));
        }
        sampler.offer(file("/data/huge", 5000, Duration.ZERO));
        List<DrillSampler.Candidate> sample = sampler.sample();
        assertThat(sampler.seen(), is(501L));
        assertThat(sample.size(), lessThanOrEqualTo(10));
        assertThat(sample.size(), greaterThan(3));
        assertThat(sample.stream().mapToLong(DrillSampler.Candidate::size).sum(), lessThanOrEqualTo(1000L));
        assertThat(sample.stream().noneMatch(c -> c.path().equals("/data/huge")), is(true));
        assertThat(new HashSet<>(sample).size(), is(sample.size())); // without replacement
    }

    @Test
    void recentlyChangedAndLargeFilesAreFavouredButNotTheOnlyOnesChosen() {
        int favoured = 0;
        int others = 0;
        Random random = new Random(11);
        for (int run = 0; run < 200; run++) {
            DrillSampler sampler = new DrillSampler(5, 10L << 20, SNAPSHOT, random);
            // 100 old small files, 10 recent large ones
            for (int i = 0; i < 100; i++) {
                sampler.offer(file("/old/" + i, 100, Duration.ofDays(400)));
            }
            for (int i = 0; i < 10; i++) {
                sampler.offer(file("/new/" + i, 512 * 1024, Duration.ofHours(2)));
            }
            for (DrillSampler.Candidate c : sampler.sample()) {
                if (c.path().startsWith("/new/")) {
                    favoured++;
                } else {
                    others++;
                }
            }
        }
        // by count the recent large files are 1 in 11 (9 %); weighted they make up more than twice that share
        double share = favoured / (double) (favoured + others);
        System.out.println("[drill-sampler] share of recent large files in the sample: " + share);
        assertThat(share > 0.2, is(true));
        assertThat(others, greaterThan(0));
    }

    @Test
    void weightsRiseWithRecencyAndSize() {
        double oldSmall = DrillSampler.weight(file("/a", 10, Duration.ofDays(365)), SNAPSHOT, 1 << 20);
        double newSmall = DrillSampler.weight(file("/b", 10, Duration.ZERO), SNAPSHOT, 1 << 20);
        double oldLarge = DrillSampler.weight(file("/c", 1 << 20, Duration.ofDays(365)), SNAPSHOT, 1 << 20);
        double newLarge = DrillSampler.weight(file("/d", 1 << 20, Duration.ZERO), SNAPSHOT, 1 << 20);
        assertThat(newSmall > oldSmall, is(true));
        assertThat(oldLarge > oldSmall, is(true));
        assertThat(newLarge > newSmall && newLarge > oldLarge, is(true));
        assertThat(newLarge <= 7.0 && oldSmall >= 1.0, is(true));
        // a file without a time still has a chance
        assertThat(DrillSampler.weight(new DrillSampler.Candidate("/e", 0, null), SNAPSHOT, 100) >= 1.0, is(true));
    }

    @Test
    void anEmptyListingGivesAnEmptySampleAndEveryFileCanBeChosen() {
        assertThat(new DrillSampler(3, 100, SNAPSHOT, new Random(2)).sample(), is(empty()));
        Set<String> chosen = new HashSet<>();
        Random random = new Random(5);
        for (int run = 0; run < 300; run++) {
            DrillSampler sampler = new DrillSampler(1, 100, SNAPSHOT, random);
            for (int i = 0; i < 8; i++) {
                sampler.offer(file("/f" + i, 10, Duration.ofDays(i)));
            }
            chosen.add(sampler.sample().getFirst().path());
        }
        assertThat(chosen.size(), is(8));
        assertThrows(IllegalArgumentException.class, () -> new DrillSampler(0, 100, SNAPSHOT, new Random()));
    }
}
