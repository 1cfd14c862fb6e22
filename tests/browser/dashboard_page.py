"""The dashboard as a user sees it in the browser: open it, find rows, click, wait, read the console."""
from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 15       # seconds; the page polls every second


class DashboardPage:
    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base_url = base_url
        self.url = f"{base_url}/_mockcdr/ui/"

    def open(self, url: str | None = None) -> "DashboardPage":
        self.driver.get(url or self.url)
        self.wait(lambda: self.text("#clock-now") not in ("", "…"), "the clock to show")
        return self

    # -- finding and reading --------------------------------------------------------------------
    def find(self, css: str, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, css)

    def all(self, css: str, root=None) -> list:
        return (root or self.driver).find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        found = self.all(css)
        return found[0].text if found else ""

    def wait(self, condition, what: str, timeout: float = WAIT):
        """Until ``condition()`` is truthy (re-tried when the page re-renders under it)."""
        def attempt(_):
            try:
                return condition()
            except StaleElementReferenceException:
                return False
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            attempt, f"waited {timeout} s for {what}")

    def row(self, container: str, key: str):
        """A keyed row (job, fault, delivery, session) by its id."""
        return self.wait(lambda: next(iter(self.all(f'{container} > [data-key="{key}"]')), None),
                         f"row {key} in {container}")

    # -- acting ---------------------------------------------------------------------------------
    def click(self, css: str, root=None) -> None:
        self.find(css, root).click()

    def fill(self, css: str, value: str, root=None) -> None:
        field = self.find(css, root)
        field.clear()
        field.send_keys(value)

    def choose(self, css: str, value: str, root=None) -> None:
        Select(self.find(css, root)).select_by_value(value)

    def requests(self) -> list[dict]:
        """The HTTP requests the page sent since the last call: url, method, headers, body."""
        import json

        out = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                r = message["params"]["request"]
                out.append({"url": r["url"], "method": r["method"], "headers": r.get("headers", {}),
                            "body": r.get("postData")})
        return out

    def console_errors(self, ignore: tuple[str, ...] = ()) -> list[dict]:
        """SEVERE console entries since the last call (warnings and info are not errors)."""
        return [e for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE" and not any(i in e["message"] for i in ignore)]
