package io.resticmanager.agent;

import io.resticmanager.proto.JobStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class ExitCodesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0   | false | ''                                                  | succeeded               | ''",
            "3   | false | 'error: /x: permission denied'                      | succeeded_with_warnings | could not be read",
            "1   | false | 'Fatal: all target directories/files do not exist' | failed                  | do not exist",
            "10  | false | ''                                                  | failed                  | repository does not exist",
            "11  | false | ''                                                  | failed                  | locked",
            "12  | false | ''                                                  | failed                  | wrong repository password",
            "130 | false | ''                                                  | failed                  | interrupted",
            "130 | true  | ''                                                  | cancelled               | cancelled",
            "42  | false | ''                                                  | failed                  | unexpected exit code 42",
            "1   | false | 'Fatal: wrong password or no key found'             | failed                  | wrong repository password",
            "1   | false | 'Is there a repository at the following location?'  | failed                  | repository does not exist",
            "1   | false | 'unable to create lock in backend: repository is already locked' | failed     | locked",
    })
    void mapsExitCodesAndOldResticMessages(int exit, boolean cancelled, String output, String status, String error) {
        OutputTail tail = new OutputTail();
        if (!output.isEmpty()) {
            tail.add(output);
        }
        Outcome o = ExitCodes.classify(new Restic.Result(exit, cancelled, tail));
        assertThat(o.status(), is(JobStatus.fromWire(status)));
        assertThat(o.exitCode(), is(exit));
        assertThat(o.error().orElse(""), containsString(error));
    }

    @org.junit.jupiter.api.Test
    void theOutputBufferIsBounded() {
        OutputTail tail = new OutputTail();
        for (int i = 0; i < 2_000; i++) {
            tail.add("line " + i);
        }
        assertThat(tail.lines().size(), is(OutputTail.MAX_LINES));
        assertThat(tail.last(1), is("line 1999"));
        tail.add("x".repeat(200_000));
        assertThat(tail.lines().stream().mapToInt(String::length).sum() <= OutputTail.MAX_CHARS, is(true));
    }
}
