package io.resticmanager.proto;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

class VersionsTest {
    @Test
    void comparesNumericallyIgnoringSuffixes() {
        assertThat(Versions.compare("0.16.2", "0.9.9"), is(greaterThan(0)));
        assertThat(Versions.compare("0.1.0-SNAPSHOT", "0.1.0"), is(0));
        assertThat(Versions.compare("1.2", "1.2.0"), is(0));
        assertThat(Versions.compare("0.13.1", Versions.MIN_RESTIC), is(lessThan(0)));
    }

    @Test
    void saysHowFarBehindInTheFirstComponentThatDiffers() {
        assertThat(Versions.behind("0.1.0", "0.3.2").map(Versions.Behind::words), is(Optional.of(
                "2 minor versions behind")));
        assertThat(Versions.behind("0.0.7", "0.1.0").map(Versions.Behind::words), is(Optional.of(
                "1 minor version behind")));
        assertThat(Versions.behind("1.9.9", "3.0.0").map(Versions.Behind::words), is(Optional.of(
                "2 major versions behind")));
        assertThat(Versions.behind("0.3.0", "0.3.3").map(Versions.Behind::words), is(Optional.of(
                "3 patch versions behind")));
        assertThat(Versions.behind("0.3.0", "0.3.0"), is(Optional.empty()));
        assertThat("newer is not behind", Versions.behind("0.4.0", "0.3.0"), is(Optional.empty()));
        assertThat("unreadable is not judged", Versions.behind("bench", "0.3.0"), is(Optional.empty()));
        assertThat(Versions.readable("v1"), is(false));
        assertThat(Versions.readable("1.0.0-rc1"), is(true));
    }

    @Test
    void aFeatureIsRefusedOnlyToAKnownOlderProtocol() {
        assertThat(Feature.refusal(2, 1, "Diff").orElseThrow(), is(
                "Diff needs agent protocol 2; the agent on this host speaks protocol 1. Update the agent to use it."));
        assertThat(Feature.refusal(2, 2, "Diff"), is(Optional.empty()));
        assertThat("not said hello yet: its jobs wait", Feature.refusal(2, null, "Diff"), is(Optional.empty()));
        for (Feature f : Feature.values()) {
            assertThat(f.key(), f.refusal(Protocol.VERSION), is(Optional.empty()));
            assertThat(f.key(), f.sinceProtocol() <= Protocol.VERSION, is(true));
        }
    }
}
