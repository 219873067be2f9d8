package io.resticmanager.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

/** The repository's Markdown reads the same in a fresh clone: every relative link lands on a file inside it. */
class DocsTest {
    /** {@code [text](target)} and {@code ![alt](target)}; the target up to a space, closing parenthesis or #. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]*)(#[^)\\s]*)?(?:\\s+\"[^\"]*\")?\\)");
    /** Places that exist only on a build machine, never in a clone or on a user's machine. */
    private static final List<String> MACHINE_PATHS = List.of("/work/", "temurin-25-jdk-amd64", "../shared/");

    @Test
    void everyRelativeLinkInEveryMarkdownFileResolvesInsideTheRepository() {
        List<Path> docs = Repo.files(Repo.ROOT, Pattern.compile(".*\\.md"));
        assertThat(docs.stream().map(p -> Repo.ROOT.relativize(p).toString()).toList(),
                   hasItems("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/API.md", "docs/ARCHITECTURE.md",
                            "docs/RESTIC.md"));
        List<String> broken = new ArrayList<>();
        for (Path doc : docs) {
            String text = Repo.read(doc);
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.isEmpty() || target.matches("[a-z][a-z0-9+.-]*:.*")) {
                    continue; // an anchor in the same file, or https:, mailto:
                }
                // GitHub reads a leading / as the repository's root
                Path resolved = (target.startsWith("/") ? Repo.ROOT.resolve(target.substring(1))
                        : doc.getParent().resolve(target)).normalize();
                if (!resolved.startsWith(Repo.ROOT) || !Files.exists(resolved)) {
                    broken.add(Repo.ROOT.relativize(doc) + ": " + target);
                }
            }
            for (String machine : MACHINE_PATHS) {
                if (text.contains(machine)) {
                    broken.add(Repo.ROOT.relativize(doc) + " names " + machine);
                }
            }
        }
        assertThat(broken, is(empty()));
    }
}
