package io.resticmanager.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** yamllint on every YAML file of the repository, shellcheck on every shell script. */
class LintTest {
    @Test
    void everyYamlFileIsClean() {
        assumeTrue(Proc.which("yamllint").isPresent(), "yamllint is not installed (apt-get install yamllint): skipped");
        List<Path> files = Repo.files(Repo.ROOT, Pattern.compile(".*\\.ya?ml|\\.yamllint"));
        assertThat(files, hasItem(Repo.COMPOSE.resolve("docker-compose.yml")));
        // errors fail everywhere; in the files of this module (deploy/, compose/) warnings fail too
        List<String> all = files.stream().map(f -> Repo.ROOT.relativize(f).toString()).toList();
        List<String> ours = all.stream().filter(f -> f.startsWith("deploy/") || f.startsWith("compose/")).toList();
        for (List<String> group : List.of(List.of("-f", "parsable"), List.of("--strict", "-f", "parsable"))) {
            List<String> command = new ArrayList<>(List.of("yamllint", "-c", Repo.ROOT.resolve(".yamllint").toString()));
            command.addAll(group);
            command.addAll(group.contains("--strict") ? ours : all);
            Proc.Result result = Proc.run(Repo.ROOT, command);
            assertThat(String.join(" ", command) + "\n" + result.output(), result.ok(), is(true));
        }
    }

    @Test
    void yamllintCatchesABrokenFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        assumeTrue(Proc.which("yamllint").isPresent(), "yamllint is not installed: skipped");
        Path bad = tmp.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "a: 1\na: 2\nb:   [1,2]\n");
        Proc.Result result = Proc.run(tmp, List.of("yamllint", "-c", Repo.ROOT.resolve(".yamllint").toString(),
                                                   "bad.yaml"));
        assertThat(result.ok(), is(false));
    }

    @Test
    void everyShellScriptPassesShellcheck() {
        assumeTrue(Proc.which("shellcheck").isPresent(), "shellcheck is not installed (apt-get install shellcheck): skipped");
        List<Path> scripts = Repo.files(Repo.ROOT, Pattern.compile(".*\\.sh"));
        assertThat(scripts, not(empty()));
        List<String> command = new ArrayList<>(List.of("shellcheck", "--severity=style", "--external-sources"));
        scripts.forEach(f -> command.add(Repo.ROOT.relativize(f).toString()));
        Proc.Result result = Proc.run(Repo.ROOT, command);
        assertThat(result.output(), result.ok(), is(true));
    }
}
