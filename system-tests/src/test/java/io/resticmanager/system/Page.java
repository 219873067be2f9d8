package io.resticmanager.system;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** The browser verbs the journeys are written in, against the stack's gateway (elements found by CSS). */
final class Page {
    private final WebDriver browser;
    private final String gateway;
    private final Duration poll;
    private final String failureShot;

    /**
     * @param poll        how often {@link #waitFor} looks again (a timed journey polls faster)
     * @param failureShot name prefix of the screenshot taken when a wait fails
     */
    Page(WebDriver browser, String gateway, Duration poll, String failureShot) {
        this.browser = browser;
        this.gateway = gateway;
        this.poll = poll;
        this.failureShot = failureShot;
    }

    void open(String path) {
        browser.get(gateway + path);
    }

    void type(String css, String text) {
        browser.findElement(By.cssSelector(css)).sendKeys(text);
    }

    void click(String css) {
        browser.findElement(By.cssSelector(css)).click();
    }

    /** The first match's text, or "" when nothing matches (yet). */
    String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    void waitFor(Function<WebDriver, Boolean> condition) {
        waitFor(Duration.ofSeconds(15), condition);
    }

    /** Waits for the condition; on timeout takes a screenshot and fails with the page's URL. */
    void waitFor(Duration timeout, Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(browser, timeout, poll).ignoring(RuntimeException.class).until(condition::apply);
        } catch (RuntimeException e) {
            Browser.screenshot(browser, failureShot + System.currentTimeMillis());
            throw new AssertionError("browser condition not met at " + browser.getCurrentUrl() + ": " + e.getMessage());
        }
    }

    /** Signs in through the login form (opening it unless the browser is already there). */
    void login(String user, String password) {
        if (!browser.getCurrentUrl().contains("/login")) {
            open("/login");
        }
        type("#login-username", user);
        type("#login-password", password);
        click("#login-button");
        waitFor(d -> !d.getCurrentUrl().contains("/login"));
    }
}
