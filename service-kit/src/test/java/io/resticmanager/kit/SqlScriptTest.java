package io.resticmanager.kit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Splitting migrations and reading named statements: triggers, quotes and comments stay whole. */
class SqlScriptTest {
    @Test
    void splitsAtSemicolonsOutsideQuotesCommentsAndTriggerBodies() {
        List<String> s = SqlScript.statements("""
                -- a comment; with a semicolon
                CREATE TABLE a (x TEXT DEFAULT 'x;y');
                /* block; comment */ INSERT INTO a VALUES ('it''s; fine');
                CREATE TRIGGER t AFTER INSERT ON a BEGIN
                  INSERT INTO a VALUES ('in; trigger');
                  SELECT CASE WHEN 1 THEN 2 END;
                END;
                CREATE TEMP TRIGGER u BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no; END'); END;
                SELECT 1""");
        assertThat(s.size(), is(5));
        assertThat(s.get(0), containsString("'x;y'"));
        assertThat(s.get(1), containsString("'it''s; fine'"));
        assertThat(s.get(2), containsString("SELECT CASE WHEN 1 THEN 2 END;\n"));
        assertThat(s.get(2).endsWith("END"), is(true));
        assertThat(s.get(3), containsString("'no; END'"));
        assertThat(s.get(4), is("SELECT 1"));
        assertThat(SqlScript.statements("-- only a comment;\n  \n"), is(List.of()));
    }

    @Test
    void namedStatementsAreOneStatementEachAndUnique() {
        Map<String, String> named = SqlScript.named("""
                -- file comment
                -- name: a.one
                SELECT 1;

                -- name: a.two
                UPDATE t SET x = ?
                WHERE y = ?;
                """, "test.sql");
        assertThat(named.keySet(), contains("a.one", "a.two"));
        assertThat(named.get("a.two"), is("UPDATE t SET x = ?\nWHERE y = ?"));
        assertThrows(IllegalStateException.class, () -> SqlScript.named("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;",
                                                                        "dup.sql"));
        assertThrows(IllegalStateException.class, () -> SqlScript.named("-- name: a\nSELECT 1; SELECT 2;", "two.sql"));
        assertThrows(IllegalStateException.class, () -> SqlScript.named("SELECT 1;", "nameless.sql"));
    }
}
