# report_browser.py HTML PNG: open a report in headless Chromium (Debian's
# chromium and chromium-driver, through python3-selenium), save a screenshot
# of the whole page, and print as JSON the console messages (warnings and
# errors), every network request the page made, its title and its number of
# SVG charts.  Used by tests/cli/report.sh.
import json, sys
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

o = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1200",
          "--disable-dev-shm-usage"):
    o.add_argument(a)
o.binary_location = "/usr/bin/chromium"
o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    d.get("file://" + sys.argv[1])
    h = d.execute_script("return document.body.scrollHeight")
    d.set_window_size(1000, min(max(h + 100, 800), 12000))
    d.save_screenshot(sys.argv[2])
    cons = [e["message"] for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    reqs = []
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m["method"] == "Network.requestWillBeSent":
            reqs.append(m["params"]["request"]["url"])
    print(json.dumps({"console": cons, "requests": reqs, "title": d.title,
                      "svgs": len(d.find_elements("tag name", "svg"))}, ensure_ascii=False))
finally:
    d.quit()
