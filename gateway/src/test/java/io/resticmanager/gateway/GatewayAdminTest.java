package io.resticmanager.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** Disabling users (sessions and tokens stop at once), the last-admin rules, token last-used, audit filters and CSV. */
class GatewayAdminTest {
    private TestStack stack;
    private TestStack.Session admin;

    @BeforeEach
    void start() {
        stack = new TestStack();
        admin = stack.setupAdmin();
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void disablingAUserStopsItsSessionAndTokensAtOnceAndEnablingLetsItLogInAgain() {
        // tokens are made by admins and belong to them: a second admin with one
        TestStack.Session olga = stack.createUser(admin, "olga", "admin");
        String olgaToken = stack.createToken(olga, "olga-ci", "operator");
        String olgaId = id(olga);
        assertThat(stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + olgaToken).statusCode(), is(200));
        assertThat(stack.send("GET", "/api/me", null, "Cookie", olga.cookie()).statusCode(), is(200));

        HttpResponse<String> disabled = stack.as(admin, "PATCH", "/api/users/" + olgaId, "{\"disabled\":true}");
        assertThat(disabled.statusCode(), is(200));
        assertThat(TestStack.tree(disabled).path("disabled").asBoolean(), is(true));
        assertThat(TestStack.tree(disabled).path("disabled_at").asText(), startsWith("20"));
        assertThat("the open session ends at once",
                   stack.send("GET", "/api/me", null, "Cookie", olga.cookie()).statusCode(), is(401));
        assertThat("the token stops at once",
                   stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + olgaToken).statusCode(), is(401));
        assertThat("nor can it act as the user's token through an unsafe route",
                   stack.send("POST", "/api/hosts/h1/jobs", "{}", "Authorization", "Bearer " + olgaToken).statusCode(),
                   is(401));
        HttpResponse<String> login = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", "olga", "password", TestStack.PASSWORD)));
        assertThat(login.statusCode(), is(403));
        assertThat(TestStack.tree(login).path("detail").asText(), containsString("disabled"));
        HttpResponse<String> wrong = stack.send("POST", "/api/login", Json.write(Map.of(
                "username", "olga", "password", "not the password at all")));
        assertThat("a wrong password learns nothing about the account", wrong.statusCode(), is(401));

        JsonNode users = TestStack.tree(stack.as(admin, "GET", "/api/users", null)).path("items");
        List<String> states = new ArrayList<>();
        users.forEach(u -> states.add(u.path("username").asText() + "=" + u.path("disabled").asBoolean()));
        assertThat(states, hasItem("olga=true"));
        assertThat(states, hasItem("admin=false"));
        JsonNode tokens = TestStack.tree(stack.as(admin, "GET", "/api/tokens", null)).path("items");
        assertThat(tokens.get(0).path("owner_disabled").asBoolean(), is(true));

        assertThat(stack.as(admin, "PATCH", "/api/users/" + olgaId, "{\"disabled\":false}").statusCode(), is(200));
        TestStack.Session again = stack.login("olga", TestStack.PASSWORD);
        assertThat(stack.send("GET", "/api/me", null, "Cookie", again.cookie()).statusCode(), is(200));
        assertThat("the token works again with its owner",
                   stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + olgaToken).statusCode(), is(200));
        assertThat(actions("user.update"), hasItem("user.update ok"));
        assertThat(actions("login.disabled"), hasItem("login.disabled denied"));
    }

    @Test
    void theLastActiveAdminIsNeverDisabledDemotedOrDeleted() {
        String adminId = id(admin);
        assertThat(stack.as(admin, "PATCH", "/api/users/" + adminId, "{\"disabled\":true}").statusCode(), is(409));
        assertThat(stack.as(admin, "PATCH", "/api/users/" + adminId, "{\"role\":\"operator\"}").statusCode(), is(409));
        assertThat(stack.as(admin, "DELETE", "/api/users/" + adminId, null).statusCode(), is(409));
        assertThat("refused whole: nothing half-done",
                   stack.as(admin, "PATCH", "/api/users/" + adminId, "{\"disabled\":true,\"password\":\"a new long "
                           + "password\"}").statusCode(), is(409));
        assertThat(stack.login(TestStack.ADMIN, TestStack.PASSWORD), is(not((TestStack.Session) null)));

        // a second admin, disabled, does not count: the first is still the last one who can log in
        TestStack.Session second = stack.createUser(admin, "second", "admin");
        String secondId = id(second);
        assertThat(stack.as(admin, "PATCH", "/api/users/" + secondId, "{\"disabled\":true}").statusCode(), is(200));
        assertThat(stack.as(admin, "PATCH", "/api/users/" + adminId, "{\"disabled\":true}").statusCode(), is(409));
        assertThat(stack.as(admin, "DELETE", "/api/users/" + adminId, null).statusCode(), is(409));
        // enabled again, either admin may go, but not both
        assertThat(stack.as(admin, "PATCH", "/api/users/" + secondId, "{\"disabled\":false}").statusCode(), is(200));
        TestStack.Session secondAgain = stack.login("second", TestStack.PASSWORD);
        assertThat(stack.as(secondAgain, "PATCH", "/api/users/" + adminId, "{\"disabled\":true}").statusCode(), is(200));
        assertThat(stack.as(secondAgain, "PATCH", "/api/users/" + secondId, "{\"role\":\"viewer\"}").statusCode(),
                   is(409));
        assertThat(stack.as(secondAgain, "DELETE", "/api/users/" + secondId, null).statusCode(), is(409));
        assertThat("a disabled admin may be deleted",
                   stack.as(secondAgain, "DELETE", "/api/users/" + adminId, null).statusCode(), is(204));
    }

    @Test
    void aViewerAndAnOperatorAreRefusedEveryAdminRoute() {
        TestStack.Session vera = stack.createUser(admin, "vera", "viewer");
        TestStack.Session olga = stack.createUser(admin, "olga", "operator");
        String veraId = id(vera);
        for (TestStack.Session s : List.of(vera, olga)) {
            assertThat(stack.as(s, "GET", "/api/users", null).statusCode(), is(403));
            assertThat(stack.as(s, "POST", "/api/users", "{}").statusCode(), is(403));
            assertThat(stack.as(s, "PATCH", "/api/users/" + veraId, "{\"disabled\":true}").statusCode(), is(403));
            assertThat(stack.as(s, "DELETE", "/api/users/" + veraId, null).statusCode(), is(403));
            assertThat(stack.as(s, "GET", "/api/tokens", null).statusCode(), is(403));
            assertThat(stack.as(s, "POST", "/api/tokens", "{\"name\":\"x\",\"role\":\"viewer\"}").statusCode(),
                       is(403));
            assertThat(stack.as(s, "GET", "/api/audit", null).statusCode(), is(403));
            assertThat(stack.as(s, "GET", "/api/audit/export", null).statusCode(), is(403));
        }
        assertThat(stack.send("GET", "/api/users/" + veraId, null, "Cookie", vera.cookie()).statusCode(), is(403));
    }

    @Test
    void tokenLastUsedIsStampedOnUse() {
        String token = stack.createToken(admin, "prometheus", "viewer");
        JsonNode before = TestStack.tree(stack.as(admin, "GET", "/api/tokens", null)).path("items").get(0);
        assertThat(before.has("last_used_at"), is(false));
        assertThat(stack.send("GET", "/api/hosts", null, "Authorization", "Bearer " + token).statusCode(), is(200));
        JsonNode after = TestStack.tree(stack.as(admin, "GET", "/api/tokens", null)).path("items").get(0);
        assertThat(after.path("last_used_at").asText(), startsWith("20"));
        assertThat(after.path("expires_at").asText(), startsWith("20"));
    }

    @Test
    void auditFiltersByResultAndTimeAndRefusesNonsense() {
        stack.createUser(admin, "olga", "operator");
        stack.send("POST", "/api/login", Json.write(Map.of("username", "olga", "password", "wrong wrong wrong")));
        JsonNode denied = TestStack.tree(stack.as(admin, "GET", "/api/audit?result=denied", null)).path("items");
        assertThat(denied.size(), greaterThan(0));
        List<String> results = new ArrayList<>();
        denied.forEach(i -> results.add(i.path("result").asText()));
        assertThat(results, everyItem(is("denied")));
        JsonNode ok = TestStack.tree(stack.as(admin, "GET", "/api/audit?result=ok&user=admin&action=user.create",
                                              null)).path("items");
        assertThat(ok.size(), is(1));
        assertThat(ok.get(0).path("target").asText(), is("user=olga"));
        assertThat(TestStack.tree(stack.as(admin, "GET", "/api/audit?until=2000-01-01", null)).path("items").size(),
                   is(0));
        assertThat(TestStack.tree(stack.as(admin, "GET", "/api/audit?since=2000-01-01&until=2999-01-01", null))
                           .path("items").size(), greaterThan(2));
        assertThat(stack.as(admin, "GET", "/api/audit?result=maybe", null).statusCode(), is(400));
        assertThat(stack.as(admin, "GET", "/api/audit/export?since=yesterday", null).statusCode(), is(400));
    }

    @Test
    void csvExportHoldsExactlyTheFilteredRowsEscapedAgainstFormulas() {
        // hostile values in the log: a formula as a user name, quotes and commas in a target
        stack.send("POST", "/api/login", Json.write(Map.of("username", "=HYPERLINK(\"http://x\",\"y\")",
                                                           "password", "irrelevant-password")));
        stack.send("POST", "/api/login", Json.write(Map.of("username", "+cmd|' /C calc'!A0",
                                                           "password", "irrelevant-password")));
        for (int i = 0; i < 5; i++) {
            stack.createUser(admin, "user-" + i, "viewer");
        }
        HttpResponse<String> csv = stack.as(admin, "GET", "/api/audit/export?action=login.failed", null);
        assertThat(csv.statusCode(), is(200));
        assertThat(csv.headers().firstValue("Content-Type").orElse(""), startsWith("text/csv"));
        assertThat(csv.headers().firstValue("Content-Disposition").orElse(""), containsString("attachment"));
        assertThat(csv.headers().firstValue("X-RM-Truncated").orElse(""), is("false"));
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0], is("at,user,action,target,result,status,source_ip"));
        assertThat(lines.length, is(3));
        assertThat(csv.body(), containsString(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",login.failed,"));
        assertThat(csv.body(), containsString(",'+cmd|' /C calc'!A0,login.failed,"));
        for (int i = 1; i < lines.length; i++) {
            assertThat(lines[i].split(",")[1].charAt(0) == '=' || lines[i].split(",")[1].charAt(0) == '+', is(false));
        }

        // the export matches the list of the same filter, row for row
        JsonNode listed = TestStack.tree(stack.as(admin, "GET", "/api/audit?action=user.create&limit=1000", null))
                .path("items");
        HttpResponse<String> created = stack.as(admin, "GET", "/api/audit/export?action=user.create", null);
        String[] rows = created.body().split("\r\n");
        assertThat(rows.length - 1, is(listed.size()));
        assertThat(created.headers().firstValue("X-RM-Total-Rows").orElse(""), is(String.valueOf(listed.size())));
        for (int i = 0; i < listed.size(); i++) {
            assertThat(rows[i + 1], startsWith(listed.get(i).path("at").asText() + ",admin,user.create,"
                    + listed.get(i).path("target").asText() + ",ok,201,"));
        }

        // bounded: a limit cuts the file and says so
        HttpResponse<String> two = stack.as(admin, "GET", "/api/audit/export?action=user.create&limit=2", null);
        assertThat(two.body().split("\r\n").length, is(3));
        assertThat(two.headers().firstValue("X-RM-Truncated").orElse(""), is("true"));
        assertThat(stack.as(admin, "GET", "/api/audit/export?limit=100001", null).statusCode(), is(400));
        assertThat("the export itself is audited", actions("audit.export"), hasItem("audit.export ok"));
    }

    @Test
    void csvExportStreamsPastOnePageNewestFirstWithoutDuplicatesAndStopsAtTheLimit() throws Exception {
        int n = Integer.getInteger("rm.test.audit-rows", 2_500);
        try (java.sql.Connection c = stack.gateway.store.connect();
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (at, user, action, target, "
                     + "status, result, source_ip) VALUES (?, 'bulk', 'bulk.test', ?, 200, 'ok', '127.0.0.1')")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                ps.setString(1, io.resticmanager.kit.Times.format(java.time.Instant.parse("2026-01-01T00:00:00Z")
                                                                          .plusSeconds(i)));
                ps.setString(2, "row-" + i);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
        long started = System.nanoTime();
        HttpResponse<String> all = stack.as(admin, "GET", "/api/audit/export?action=bulk.test", null);
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("audit export of " + n + " rows: " + ms + " ms, " + all.body().length() + " chars");
        String[] lines = all.body().split("\r\n");
        assertThat(lines.length - 1, is(n));
        assertThat(all.headers().firstValue("X-RM-Total-Rows").orElse(""), is(String.valueOf(n)));
        for (int i = 1; i < lines.length; i++) {
            assertThat("newest first, each row once", lines[i], containsString(",row-" + (n - i) + ",ok,200,"));
        }
        HttpResponse<String> cut = stack.as(admin, "GET", "/api/audit/export?action=bulk.test&limit=1500", null);
        assertThat(cut.body().split("\r\n").length - 1, is(Math.min(1500, n)));
        assertThat(cut.headers().firstValue("X-RM-Truncated").orElse(""), is(String.valueOf(n > 1500)));
    }

    @Test
    void csvCellsAreQuotedAndDefused() {
        assertThat(Csv.cell("plain"), is("plain"));
        assertThat(Csv.cell(null), is(""));
        assertThat(Csv.cell("a,b"), is("\"a,b\""));
        assertThat(Csv.cell("say \"hi\""), is("\"say \"\"hi\"\"\""));
        assertThat(Csv.cell("line\nbreak"), is("\"line\nbreak\""));
        assertThat(Csv.cell("=1+1"), is("'=1+1"));
        assertThat(Csv.cell("-2"), is("'-2"));
        assertThat(Csv.cell("@SUM(A1)"), is("'@SUM(A1)"));
        assertThat(Csv.cell("\tx"), is("'\tx"));
        assertThat(Csv.cell("=A1,B1"), is("\"'=A1,B1\""));
        assertThat(Csv.row(List.of("a", "=b", "c,d")), is("a,'=b,\"c,d\"\r\n"));
    }

    private String id(TestStack.Session s) {
        return TestStack.tree(stack.send("GET", "/api/me", null, "Cookie", s.cookie())).path("user_id").asText();
    }

    private List<String> actions(String action) {
        List<String> out = new ArrayList<>();
        TestStack.tree(stack.as(admin, "GET", "/api/audit?action=" + action, null)).path("items")
                .forEach(i -> out.add(i.path("action").asText() + " " + i.path("result").asText()));
        return out;
    }
}
