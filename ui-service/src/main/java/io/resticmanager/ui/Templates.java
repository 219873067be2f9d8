package io.resticmanager.ui;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.reflect.Guard;
import com.github.mustachejava.reflect.MissingWrapper;
import com.github.mustachejava.reflect.ReflectionObjectHandler;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;

/**
 * Mustache templates from {@code src/main/resources/templates}. Scopes are searched last to first, so the
 * page's view model wins over the shared {@link Pages.Base} scope. In strict mode (tests) a name that no
 * scope has is an error instead of silently rendering nothing.
 */
final class Templates {
    private final DefaultMustacheFactory factory;

    Templates(boolean strict) {
        this.factory = new DefaultMustacheFactory("templates") {
            // Every attribute we render is quoted, so these five are all that need escaping; the default
            // also escapes '=' and '`', which makes URLs in attributes unreadable in page source.
            @Override
            public void encode(String value, Writer writer) {
                try {
                    for (int i = 0; i < value.length(); i++) {
                        char c = value.charAt(i);
                        switch (c) {
                            case '&' -> writer.write("&amp;");
                            case '<' -> writer.write("&lt;");
                            case '>' -> writer.write("&gt;");
                            case '"' -> writer.write("&quot;");
                            case '\'' -> writer.write("&#39;");
                            default -> writer.write(c);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        factory.setObjectHandler(new ReflectionObjectHandler() {
            @Override
            protected MissingWrapper createMissingWrapper(String name, List<Guard> guards) {
                if (strict) {
                    throw new IllegalStateException("template variable not found: " + name);
                }
                return super.createMissingWrapper(name, guards);
            }
        });
    }

    /** Renders {@code templates/<name>.mustache} against the given scopes (later scopes take precedence). */
    String render(String name, Object... scopes) {
        Mustache mustache = factory.compile(name + ".mustache");
        StringWriter out = new StringWriter();
        mustache.execute(out, Arrays.asList(scopes));
        return out.toString();
    }
}
