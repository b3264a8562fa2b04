#!/usr/bin/env python3
"""Renders a digest.html in headless Chromium and reports what a reader would see.

Drives Chromium over the DevTools protocol on --remote-debugging-pipe (file descriptors 3 and 4,
JSON messages ended by NUL), with Python's standard library only. Used by the Swift test
DigestBrowserTests; `make test` installs Debian's chromium and poppler-utils (pdftotext).

  browser_check.py --html digest.html --expect expect.json [--pdf out.pdf] [--screenshots DIR]

expect.json: {"names": [...], "texts": [...]}: strings that must be visible. For every width (390
and 1280 CSS px) and colour scheme (light, dark) the page is measured by CHECK_JS below; with
--pdf it is then printed to an A4 PDF and read back with pdftotext. The report (JSON, stdout):

  {"screens": [{"width", "scheme", "scroll_width", "overflowing", "missing", "hidden",
                "broken_words", "low_contrast", "small_chart_text", "text_after_evidence",
                "background_luminance"}...],
   "print": {"pages", "text", "headings": [{"text", "next"}...]}}

Exit status 0 when the report was made (the test judges it), 2 when Chromium failed.
"""

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHECK_JS = r"""
(expect) => {
  const vw = document.documentElement.clientWidth;
  const report = {
    scroll_width: document.documentElement.scrollWidth, overflowing: [], missing: [], hidden: [],
    broken_words: [], low_contrast: [], small_chart_text: [], text_after_evidence: [],
    background_luminance: null,
  };
  const element = (node) => node.nodeType === 1 ? node : node.parentElement;
  const describe = (node) => {
    const el = element(node);
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) text += '.' + el.className.trim().split(/\s+/).join('.');
    return text + ' "' + (node.textContent || '').trim().slice(0, 50) + '"';
  };
  const rendered = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden' || parseFloat(style.opacity) === 0) return false;
    }
    return true;
  };
  const outside = (rect) => rect.width > 0 && (rect.right > vw + 1 || rect.left < -1);
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,\/]+/).filter(Boolean).map(parseFloat);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const color = rgba(getComputedStyle(e).backgroundColor);
      if (color[3] > 0.5) return color;
    }
    return [255, 255, 255, 1];
  };
  const contrast = (el) => {
    const a = luminance(rgba(getComputedStyle(el).color)), b = luminance(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  report.background_luminance = luminance(background(document.body));

  // Nothing wider than the viewport: no element box, no line of text.
  for (const el of document.body.querySelectorAll('*')) {
    if (!rendered(el)) continue;
    if (outside(el.getBoundingClientRect())) report.overflowing.push(describe(el));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const textNodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || !rendered(node.parentElement)) continue;
    textNodes.push(node);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (outside(rect)) { report.overflowing.push('text in ' + describe(node)); break; }
    }
  }

  // Every expected string is shown somewhere, inside the viewport, readable; names unbroken.
  const check = (text, isName) => {
    let shown = 0;
    for (const node of textNodes) {
      for (let at = node.data.indexOf(text); at >= 0; at = node.data.indexOf(text, at + 1)) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (rects.length === 0 || rects.some(outside)) { report.hidden.push(text + ' in ' + describe(node)); continue; }
        shown += 1;
        if (contrast(node.parentElement) < 3) report.low_contrast.push(text + ' in ' + describe(node));
        if (!isName) continue;
        let offset = 0;
        for (const word of text.split(/\s+/)) {
          const start = text.indexOf(word, offset);
          offset = start + word.length;
          if (word.length < 2 || !/[A-Za-z]/.test(word)) continue;
          const part = document.createRange();
          part.setStart(node, at + start);
          part.setEnd(node, at + start + word.length);
          const tops = new Set([...part.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) report.broken_words.push(word + ' of ' + text + ' in ' + describe(node));
        }
      }
    }
    if (shown === 0) report.missing.push(text);
  };
  for (const name of expect.names) check(name, true);
  for (const text of expect.texts) check(text, false);

  // Chart labels stay text-sized and inside their chart.
  for (const chart of document.querySelectorAll('.chart')) {
    const box = chart.getBoundingClientRect();
    for (const node of textNodes) {
      if (!chart.contains(node)) continue;
      const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
      const range = document.createRange();
      range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (size < 11 || rect.left < box.left - 1 || rect.right > box.right + 1) {
        report.small_chart_text.push(describe(node) + ' ' + size + 'px');
      }
    }
  }

  // Each post's text comes before its facts and evidence.
  for (const entry of document.querySelectorAll('.entry')) {
    const text = entry.querySelector('.text, .diff, .muted');
    const evidence = [...entry.querySelectorAll('dd')].find((dd) => dd.textContent.includes('SHA-256'));
    if (!text || !evidence) continue;
    if (text.getBoundingClientRect().top >= evidence.getBoundingClientRect().top) {
      report.text_after_evidence.push(describe(entry.querySelector('.what') || entry));
    }
  }
  return report;
}
"""

# Every heading (and an account's key line under its name) with the first line of what follows it
# (in the print layout), so a page that ends with a heading whose content starts the next page can
# be told from a page that ends with a table cell holding the same words.
HEADINGS_JS = r"""
[...document.querySelectorAll('h1, h2, h3, h4, p.key')].map((heading) => {
  let next = heading.nextElementSibling;
  for (let up = heading.parentElement; !next && up; up = up.parentElement) next = up.nextElementSibling;
  const following = next ? next.innerText.trim().split('\n')[0] : '';
  return {text: heading.innerText.trim(), next: following};
})
"""


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with one page, spoken to over --remote-debugging-pipe."""

    def __init__(self, binary, timeout):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="palimpsest-chromium-")
        to_child_read, self.to_child = os.pipe()
        self.from_child, from_child_write = os.pipe()

        def pipes_at_3_and_4():
            # Move both ends above 10 first, so the dup2 calls cannot overwrite each other.
            read_end = fcntl.fcntl(to_child_read, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_child_write, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        arguments = [
            binary, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            "--hide-scrollbars", "--user-data-dir=" + self.profile, "about:blank",
        ]
        self.process = subprocess.Popen(
            arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=pipes_at_3_and_4, pass_fds=(3, 4), close_fds=True,
        )
        os.close(to_child_read)
        os.close(from_child_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_child], [], [], remaining)
            if ready:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe (exit status %s)" % self.process.poll())
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise BrowserError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def wait_for(self, method):
        deadline = time.monotonic() + self.timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[: index + 1]
                    return event
            self.events.append(self._read_message(deadline))

    def open(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError("script failed: %s" % json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_child)
        os.close(self.from_child)
        shutil.rmtree(self.profile, ignore_errors=True)


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", required=True)
    parser.add_argument("--expect", required=True)
    parser.add_argument("--pdf")
    parser.add_argument("--screenshots")
    parser.add_argument("--timeout", type=float, default=30)
    options = parser.parse_args()

    binary = chromium_binary()
    if not binary:
        print("no chromium found", file=sys.stderr)
        return 2
    with open(options.expect, encoding="utf-8") as handle:
        expect = json.load(handle)
    url = "file://" + os.path.abspath(options.html)
    report = {"screens": []}
    browser = Browser(binary, options.timeout)
    try:
        for width in (390, 1280):
            for scheme in ("light", "dark"):
                browser.call("Emulation.setDeviceMetricsOverride", {
                    "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600,
                })
                browser.call("Emulation.setEmulatedMedia", {
                    "media": "screen", "features": [{"name": "prefers-color-scheme", "value": scheme}],
                })
                browser.open(url)
                measured = browser.evaluate("(%s)(%s)" % (CHECK_JS, json.dumps(expect)))
                measured.update({"width": width, "scheme": scheme})
                report["screens"].append(measured)
                if options.screenshots:
                    shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
                    path = os.path.join(options.screenshots, "digest-%d-%s.png" % (width, scheme))
                    with open(path, "wb") as handle:
                        handle.write(base64.b64decode(shot["data"]))
        if options.pdf:
            browser.call("Emulation.clearDeviceMetricsOverride")
            browser.call("Emulation.setEmulatedMedia", {"media": "print", "features": []})
            browser.open(url)
            headings = browser.evaluate(HEADINGS_JS)
            printed = browser.call("Page.printToPDF", {
                "paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.5, "marginBottom": 0.5,
                "marginLeft": 0.5, "marginRight": 0.5, "printBackground": False,
            })
            with open(options.pdf, "wb") as handle:
                handle.write(base64.b64decode(printed["data"]))
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", options.pdf, "-"], check=True, capture_output=True, timeout=30,
            ).stdout.decode("utf-8")
            report["print"] = {"pages": text.count("\f"), "text": text, "headings": headings}
    except BrowserError as error:
        print("chromium: %s" % error, file=sys.stderr)
        return 2
    finally:
        browser.close()
    json.dump(report, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
