package io.resticmanager.jobs.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resticmanager.proto.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.resticmanager.jobs.alerts.Fixtures.config;
import static io.resticmanager.jobs.alerts.Fixtures.json;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Channel settings validation, redaction and storage round trip. */
class ChannelConfigTest {
    private static final String EMAIL_OK = "'smtp_host':'smtp.example.com','smtp_port':587,'tls':'starttls',"
                                           + "'username':'u','password':'pw-9f8e7d','from':'rm@example.com',"
                                           + "'to':['ops@example.com']";

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            webhook | {}                                                        | url is required
            webhook | {'url':'ftp://example.com/hook'}                         | url must be an http:// or https:// URL
            webhook | {'url':'https://user:pw@example.com/hook'}               | url must not contain user:password
            webhook | {'url':'not a url'}                                       | url
            webhook | {'url':'http://example.com:0/hook'}                      | url port
            webhook | {'url':'https://example.com/hook#x'}                     | url must not contain a #fragment
            webhook | {'url':'https://example.com/hook','extra':1}             | unknown field 'extra'
            webhook | {'url':'https://example.com/hook','secret':42}           | secret must be a string
            webhook | {'url':42}                                                | url must be a string
            ntfy    | {'url':'http://ntfy.local'}                               | topic is required
            ntfy    | {'url':'http://ntfy.local','topic':'has space'}           | topic must be 1 to 64
            ntfy    | {'url':'http://ntfy.local?x=1','topic':'t'}               | url must be the server's base URL
            ntfy    | {'topic':'t'}                                             | url is required
            ntfy    | {'url':'http://ntfy.local','topic':'t','token':[]}        | token must be a string
            email   | {'smtp_port':25,'tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_host is required
            email   | {'smtp_host':'bad host','smtp_port':25,'tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_host must be a host name
            email   | {'smtp_host':'h','tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_port is required
            email   | {'smtp_host':'h','smtp_port':0,'tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_port must be a number from 1 to 65535
            email   | {'smtp_host':'h','smtp_port':65536,'tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_port must be a number from 1 to 65535
            email   | {'smtp_host':'h','smtp_port':'25','tls':'none','from':'a@b.c','to':['d@e.f']} | smtp_port must be a number
            email   | {'smtp_host':'h','smtp_port':25,'tls':'ssl','from':'a@b.c','to':['d@e.f']} | tls must be one of starttls, tls, none
            email   | {'smtp_host':'h','smtp_port':25,'from':'a@b.c','to':['d@e.f']} | tls is required
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'nobody','to':['d@e.f']} | from is not a valid e-mail address
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'Me <a@b.c>','to':['d@e.f']} | from is not a valid e-mail address
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c'} | to is required
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':[]} | to is required
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':'d@e.f'} | to must be a list
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':['d@e.f','x@@y']} | to[1] is not a valid e-mail address
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':['d@e.f',7]} | to[1] must be a string
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','password':'p','from':'a@b.c','to':['d@e.f']} | password is set but username is not
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','username':'u','from':'a@b.c','to':['d@e.f']} | password is required when username is set
            email   | {'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':['d@e.f'],'cc':['x@y.z']} | unknown field 'cc'
            """)
    void refusesBadSettingsNamingTheField(String kind, String settings, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> config(ChannelKind.parse(kind), settings));
        assertThat(e.getMessage(), containsString(message));
    }

    @Test
    void refusesNonObjectsOverlongStringsControlCharactersAndTooManyRecipients() {
        assertThat(assertThrows(IllegalArgumentException.class,
                                () -> ChannelConfig.parse(ChannelKind.WEBHOOK, json("[]"))).getMessage(),
                   containsString("must be a JSON object"));
        String longSecret = "s".repeat(2049);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> config(
                ChannelKind.WEBHOOK, "{'url':'https://example.com/h','secret':'" + longSecret + "'}"));
        assertThat(tooLong.getMessage(), containsString("secret must be at most 2048 characters"));
        assertThat(tooLong.getMessage(), not(containsString(longSecret)));
        assertThat(assertThrows(IllegalArgumentException.class, () -> config(
                           ChannelKind.WEBHOOK, "{'url':'https://example.com/" + "a".repeat(2048) + "'}")).getMessage(),
                   containsString("url must be at most 2048"));

        ObjectNode crlf = (ObjectNode) json("{'url':'http://ntfy.local','topic':'t'}");
        crlf.put("token", "tok\r\nX-Injected: 1");
        assertThat(assertThrows(IllegalArgumentException.class,
                                () -> ChannelConfig.parse(ChannelKind.NTFY, crlf)).getMessage(),
                   is("token must not contain control characters"));

        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            many.append(i == 0 ? "" : ",").append("'r").append(i).append("@example.com'");
        }
        assertThat(assertThrows(IllegalArgumentException.class, () -> config(
                           ChannelKind.EMAIL, "{'smtp_host':'h','smtp_port':25,'tls':'none','from':'a@b.c','to':["
                                              + many + "]}")).getMessage(),
                   containsString("to has 21 addresses; at most 20"));
    }

    @Test
    void normalizesValidSettings() {
        ChannelConfig ntfy = config(ChannelKind.NTFY, "{'url':' https://ntfy.example.com/ ','topic':'t','token':''}");
        assertThat(ntfy.settings(), is(json("{'url':'https://ntfy.example.com','topic':'t'}")));

        ChannelConfig email = config(ChannelKind.EMAIL, "{" + EMAIL_OK + ",'smtp_port':587.0}");
        assertThat(email.settings().get("smtp_port").isInt(), is(true));
        assertThat(email.settings().get("to").get(0).asText(), is("ops@example.com"));
    }

    @Test
    void redactedHidesEverySecretAndToStringShowsOnlyThat() {
        ChannelConfig webhook = config(ChannelKind.WEBHOOK, "{'url':'https://example.com/h','secret':'whsec-1a2b3c'}");
        ChannelConfig ntfy = config(ChannelKind.NTFY, "{'url':'http://ntfy.local','topic':'t','token':'tk-4d5e6f'}");
        ChannelConfig email = config(ChannelKind.EMAIL, "{" + EMAIL_OK + "}");

        assertThat(webhook.redacted(), is(json("{'url':'https://example.com/h','secret':'***'}")));
        assertThat(ntfy.redacted(), is(json("{'url':'http://ntfy.local','topic':'t','token':'***'}")));
        assertThat(email.redacted().get("password").asText(), is("***"));
        assertThat(email.redacted().get("username").asText(), is("u"));
        assertThat(email.settings().get("password").asText(), is("pw-9f8e7d"));

        assertThat(webhook.toString(), not(containsString("whsec-1a2b3c")));
        assertThat(ntfy.toString(), not(containsString("tk-4d5e6f")));
        assertThat(email.toString(), not(containsString("pw-9f8e7d")));
        assertThat(email.toString(), containsString("kind=email"));
        assertThat(email.toString(), containsString("\"password\":\"***\""));
        // Without a secret there is nothing to mask, and nothing is invented.
        assertThat(config(ChannelKind.WEBHOOK, "{'url':'https://example.com/h'}").redacted().has("secret"), is(false));
    }

    @Test
    void jsonRoundTripKeepsSecretsAndRevalidates() {
        ChannelConfig email = config(ChannelKind.EMAIL, "{" + EMAIL_OK + "}");
        String stored = email.toJson();
        assertThat(stored, containsString("pw-9f8e7d"));
        assertThat(ChannelConfig.fromJson(ChannelKind.EMAIL, stored), is(email));

        assertThat(assertThrows(IllegalArgumentException.class,
                                () -> ChannelConfig.fromJson(ChannelKind.WEBHOOK, stored)).getMessage(),
                   containsString("unknown field"));
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> ChannelConfig.fromJson(ChannelKind.EMAIL, "{\"password\":\"pw-9f8e7d\""));
        assertThat(broken.getMessage(), not(containsString("pw-9f8e7d")));
    }

    @Test
    void settingsCannotBeChangedAfterValidation() {
        ChannelConfig webhook = config(ChannelKind.WEBHOOK, "{'url':'https://example.com/h'}");
        ((ObjectNode) webhook.settings()).put("url", "ftp://elsewhere");
        assertThat(webhook.settings().get("url").asText(), is("https://example.com/h"));
    }

    @Test
    void kindsParseAndSerializeLowercase() {
        assertThat(ChannelKind.parse("ntfy"), is(ChannelKind.NTFY));
        assertThat(Json.write(ChannelKind.EMAIL), is("\"email\""));
        assertThat(assertThrows(IllegalArgumentException.class, () -> ChannelKind.parse("sms")).getMessage(),
                   containsString("webhook, ntfy, email"));
    }

    @Test
    void notificationsRefuseUnknownSeverityAndState() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> Fixtures.firing("fatal")).getMessage(),
                   containsString("severity"));
        JsonNode wire = Json.MAPPER.valueToTree(Fixtures.resolved());
        assertThat(Json.MAPPER.convertValue(wire, Notification.class), is(Fixtures.resolved()));
    }
}
