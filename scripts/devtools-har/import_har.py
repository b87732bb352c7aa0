#!/usr/bin/env python3
"""Import a HAR file into Chromium's DevTools Network panel, headlessly, and screenshot it.

usage: import_har.py DEVTOOLS_PORT FILE.har OUT.png

A headless Chromium started with --remote-debugging-port=DEVTOOLS_PORT serves its own bundled
DevTools frontend at /devtools/devtools_app.html; a second Chromium (driven by Selenium and
chromium-driver) opens that frontend on the first one's page, shows the Network panel, and
hands FILE.har to the panel's own "Import HAR file" file input (the one its toolbar button
opens), so the import goes through DevTools' HAR parser exactly as a click would. Then it
selects a request, saves the screenshot, and prints the rows the panel shows.
"""
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

port, har, out = sys.argv[1], sys.argv[2], sys.argv[3]
pages = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json" % port))
page = [p for p in pages if p["type"] == "page"][0]["id"]
url = "http://127.0.0.1:%s/devtools/devtools_app.html?ws=127.0.0.1:%s/devtools/page/%s&panel=network" % (port, port, page)
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1500,900", "--force-device-scale-factor=1"]:
    o.add_argument(a)
d = webdriver.Chrome(options=o, service=Service("/usr/bin/chromedriver"))
FIND = """
function find(root, test, out) {
  for (const el of root.querySelectorAll('*')) {
    if (test(el)) out.push(el);
    if (el.shadowRoot) find(el.shadowRoot, test, out);
  }
  return out;
}
"""
try:
    d.get(url)
    time.sleep(4)
    inputs = d.execute_script(FIND + "return find(document, el => el.tagName === 'INPUT' && el.type === 'file', []);")
    if not inputs:
        sys.exit("no HAR import input in the Network panel")
    inputs[0].send_keys(har)
    time.sleep(3)
    rows = d.execute_script(FIND + "return find(document, el => el.matches('tr.data-grid-data-grid-node'), []);")
    # Select a status read of the order to show its headers.
    if len(rows) > 3:
        d.execute_script("for (const t of ['mousedown', 'mouseup', 'click']) arguments[0].dispatchEvent(new MouseEvent(t, {bubbles: true, composed: true}));", rows[3])
        time.sleep(1.5)
    d.save_screenshot(out)
    for r in rows:
        print("row:", " ".join(r.text.split())[:150])
    print("imported %d requests" % len(rows))
finally:
    d.quit()
