"""Pages drawn by a real browser: Debian's chromium driven by Playwright, one browser per process,
a context per phone size (CSS viewport and device pixel ratio, light or dark)."""

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# A customer scrolls until what matters shows: the [data-keep] parts as far as they fit between the
# sticky header and the bottom bar, the topmost one never scrolled away.
KEEP_IN_VIEW = """() => {
  const keep = [...document.querySelectorAll('[data-keep]')].map(e => e.getBoundingClientRect());
  if (!keep.length) return;
  const header = document.querySelector('.top').getBoundingClientRect().bottom;
  const bar = document.querySelector('.bottom').getBoundingClientRect().height;
  const needed = Math.max(...keep.map(r => r.bottom)) - (window.innerHeight - bar - 8);
  const limit = Math.min(...keep.map(r => r.top)) - header - 8;
  window.scrollTo(0, Math.max(0, Math.min(needed, limit)));
}"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--font-render-hinting=none"]


class Browser:
    """`with Browser() as browser: png = browser.screenshot(html, (390, 844, 3))`"""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run next to one.
        self._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        self._pages = {}
        return self

    def __exit__(self, *exc):
        self._browser.close()
        self._playwright.stop()
        if self._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def _page(self, size: tuple[int, int, float], dark: bool):
        key = (*size, dark)
        if key not in self._pages:
            width, height, ratio = size
            context = self._browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=ratio,
                                                color_scheme="dark" if dark else "light", java_script_enabled=True)
            context.route("**/*", lambda route: route.abort())  # the pages are self-contained: nothing is fetched
            self._pages[key] = context.new_page()
        return self._pages[key]

    def screenshot(self, html: str, size: tuple[int, int, float], dark: bool = False) -> bytes:
        """What the phone's screen shows: the viewport, not the whole page."""
        page = self._page(size, dark)
        page.set_content(html, wait_until="load")
        page.evaluate(KEEP_IN_VIEW)
        return page.screenshot(type="png")

    def pdf(self, html: str) -> bytes:
        """The page printed as an A4 PDF, as apps' "download receipt" does."""
        page = self._page((595, 842, 1), False)
        page.set_content(html, wait_until="load")
        page.emulate_media(media="screen")
        return page.pdf(format="A4", print_background=True)
