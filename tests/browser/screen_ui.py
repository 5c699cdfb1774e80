"""screen_ui.py - the station screen in a real browser: headless Debian
chromium driven through chromedriver, against real `bulu station serve`
processes on 127.0.0.1.  Sign-in; a charge found by pinyin, saved and seen
by `bulu journal show`; refusals shown beside the field with the journal
unchanged; the drill and no-outage banners; each role's main form; a
dispense by scanned reference, and another station's reference refused
clearly; English one click away; no request outside the station.
Screenshots go to $BROWSER_OUT (docs/img/ takes its pictures from there)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screenlib as L  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

OPS = [("张丽", "cashier", "1234"), ("刘洋", "nurse", "2345"), ("周敏", "pharmacist", "3456"),
       ("吴刚", "lab", "4567")]
opd = L.station("OPD1", operators=OPS)
d = L.browser()
d.set_page_load_timeout(20)
bases = []


def shot(name):
    d.save_screenshot(os.path.join(L.OUT, name + ".png"))


def by_id(i):
    return d.find_element(By.ID, i)


def text(i):
    try:
        return by_id(i).text
    except Exception:
        return ""


def signin(base, name, pin):
    d.get(base + "/")
    L.wait_for(lambda: by_id("si-name").is_displayed())
    by_id("si-name").clear()
    by_id("si-name").send_keys(name)
    by_id("si-pin").send_keys(pin + Keys.ENTER)
    return L.wait_for(lambda: by_id("work").is_displayed())


def active():
    return d.switch_to.active_element


def add_item(query, qty):
    q = by_id("item-q")
    q.click()
    q.send_keys(query)
    # the list answering this very text (not a list left from the last item)
    want = query.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).strip()
    L.wait_for(lambda: by_id("sugg").get_attribute("data-q") == want and
               d.find_elements(By.CSS_SELECTOR, "#sugg li[role=option]"), 20)
    q.send_keys(Keys.ENTER)
    L.wait_for(lambda: active().get_attribute("class") == "qty", 20)
    a = active()
    a.send_keys(Keys.CONTROL + "a")
    a.send_keys(qty + Keys.ENTER)


def saved_ref():
    return L.wait_for(lambda: text("saved-ref"), 10)


try:
    p, base = L.serve(opd)
    bases.append(base)
    # -- sign in ------------------------------------------------------------
    d.get(base + "/")
    L.wait_for(lambda: by_id("si-name").is_displayed())
    shot("signin")
    by_id("si-name").send_keys("张丽")
    by_id("si-pin").send_keys("0000" + Keys.ENTER)
    L.check(L.wait_for(lambda: "PIN" in text("si-err")), "a wrong PIN says so: " + text("si-err"))
    L.check(signin(base, "张丽", "1234"), "signed in as the cashier")
    L.check("张丽" in text("st-operator"), "the bar shows the operator")
    L.check("OPD1" in text("st-station") and "门诊收费" in text("st-station"), "the bar shows the station")
    L.check("2026.11-A" in text("st-catalog"), "the bar shows the catalog version")
    L.check("未导出" in text("st-unexported"), "the bar shows what is unexported")
    L.check(not by_id("banner-noepisode").is_displayed(), "no red banner while an outage is open")
    L.check(not by_id("banner-drill").is_displayed(), "no drill banner outside a drill")
    L.check("00120001" in by_id("f-invoice_no").get_attribute("placeholder"), "the next invoice number is shown")

    # -- a charge found by pinyin, saved, in the journal ---------------------
    n0 = L.count(opd)
    by_id("f-patient_id").send_keys("0012345")
    by_id("f-patient_name").send_keys("王小明")
    add_item("amx", "2")
    add_item("xcg", "1")
    add_item("氯化钠", "３")
    L.check(text("total") == "56.10", "the running total in yuan: " + text("total"))
    rows = d.find_elements(By.CSS_SELECTOR, "#lines tr")
    L.check(len(rows) == 3, "three lines")
    sel = by_id("f-pay")
    sel.send_keys("微")
    shot("cashier")
    active().send_keys(Keys.F9)
    ref = saved_ref()
    L.check(ref and ref.startswith("BL-OPD1-"), "已保存 with the reference: %s" % ref)
    L.check("已保存" in text("result"), "the page says 已保存")
    L.check(L.count(opd) == n0 + 1, "one entry more")
    seq = ref.rsplit("-", 1)[1]
    r = L.bulu(opd, "journal", "show", "--kind", "charge", "--format", "json")
    L.check('"seq":%s' % seq in r.stdout.replace(" ", "") and "张丽" in r.stdout, "bulu journal show has it, by 张丽")
    L.check("wechat" in r.stdout and "5610" in r.stdout, "paid by wechat, 56.10 yuan stored as fen")
    shot("cashier-saved")

    # -- the receipt: printed from the journal, with the reference and a barcode --
    by_id("print-receipt").click()
    L.check(L.wait_for(lambda: d.find_elements(By.ID, "print-frame")), "the receipt is loaded for printing")
    d.switch_to.frame(by_id("print-frame"))
    L.check(L.wait_for(lambda: ref in d.find_element(By.TAG_NAME, "body").text), "the receipt carries %s" % ref)
    L.check(d.find_elements(By.CSS_SELECTOR, "svg"), "the receipt carries a barcode (SVG)")
    d.switch_to.default_content()
    L.check(L.count(opd, "print") == 1, "the print is recorded in the journal")
    purl = by_id("print-frame").get_attribute("src")
    d.get(purl)
    L.wait_for(lambda: ref in d.find_element(By.TAG_NAME, "body").text)
    shot("receipt")
    with open(os.path.join(L.OUT, "receipt.pdf"), "wb") as f:
        import base64
        f.write(base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"]))
    d.back()
    L.wait_for(lambda: by_id("work").is_displayed())

    # -- refusals: shown beside the field; the journal unchanged --------------
    n1 = L.count(opd)
    by_id("f-patient_id").send_keys("0012345")
    add_item("Y0004", "0")
    active().send_keys(Keys.F9)
    L.check(L.wait_for(lambda: "数量" in text("err-lines")), "a zero quantity is refused beside the lines: " + text("err-lines"))
    L.check(d.find_elements(By.CSS_SELECTOR, "#lines tr.bad"), "the bad line is marked")
    L.check("未保存" in text("result"), "the page says 未保存")
    L.check(L.count(opd) == n1, "a refused quantity changed nothing")
    shot("refused-qty")
    q = d.find_element(By.CSS_SELECTOR, "#lines input.qty")
    q.send_keys(Keys.CONTROL + "a")
    q.send_keys("1")
    inv = by_id("f-invoice_no")
    inv.send_keys("00120001")
    inv.send_keys(Keys.CONTROL + Keys.ENTER)
    L.check(L.wait_for(lambda: "发票" in text("err-invoice_no")), "a reused invoice is refused beside its field: " + text("err-invoice_no"))
    L.check(L.count(opd) == n1, "a reused invoice changed nothing")
    shot("refused-invoice")
    # English one click away, the error too.
    by_id("lang").click()
    L.check(L.wait_for(lambda: "already used" in text("err-invoice_no")), "the error in English: " + text("err-invoice_no"))
    L.check("Charge" in text("tabs"), "tabs in English")
    by_id("lang").click()
    L.check(L.wait_for(lambda: "收费" in text("tabs")), "back to Chinese")
    # fix it and save: the same form, no second entry.
    inv.clear()
    by_id("save").click()
    ref2 = L.wait_for(lambda: text("saved-ref") if text("saved-ref") != ref else None)
    L.check(ref2 and ref2 != ref and L.count(opd) == n1 + 1, "corrected and saved once: %s" % ref2)

    # -- cash-up --------------------------------------------------------------
    active().send_keys(Keys.F6)
    L.check(L.wait_for(lambda: "wechat" in text("sum-table")), "the cash-up lists wechat")
    L.check(text("sum-net") == "71.70", "the cash-up net: " + text("sum-net"))
    shot("cashup")
    n3 = L.count(opd, "print")
    by_id("print-cashup").click()
    L.check(L.wait_for(lambda: d.find_elements(By.ID, "print-frame")), "the cash-up sheet is loaded for printing")
    d.switch_to.frame(by_id("print-frame"))
    L.check(L.wait_for(lambda: "轧账" in d.find_element(By.TAG_NAME, "body").text), "the cash-up sheet renders")
    d.switch_to.default_content()
    L.check(L.count(opd, "print") == n3 + 1, "the cash-up sheet is a journal entry")

    # -- a registration: the fee from the catalog's registration items --------------
    active().send_keys(Keys.F2)
    L.wait_for(lambda: by_id("f-fee_item").is_displayed())
    L.wait_for(lambda: len(by_id("f-fee_item").find_elements(By.TAG_NAME, "option")) >= 3)
    by_id("f-patient_id").send_keys("0012399")
    from selenium.webdriver.support.ui import Select  # noqa: E402
    Select(by_id("f-fee_item")).select_by_index(2)
    L.check(by_id("f-fee").get_attribute("value") == "15.00", "the registration fee comes from the catalog: " + by_id("f-fee").get_attribute("value"))
    by_id("f-fee").send_keys(Keys.F9)
    L.check(L.wait_for(lambda: "挂号" in text("result") and text("saved-ref")), "a registration saved")
    r = L.bulu(opd, "journal", "show", "--kind", "registration", "--format", "json")
    L.check('"code":"G0002"' in r.stdout.replace(" ", "") and '"fee":1500' in r.stdout.replace(" ", ""), "priced from the catalog's fee item G0002")
    shot("registration")

    # -- a void by reference ----------------------------------------------------
    active().send_keys(Keys.F4)
    L.wait_for(lambda: by_id("f-ref").is_displayed())
    by_id("f-ref").send_keys(ref2 + Keys.ENTER)
    L.wait_for(lambda: "已读取" in text("result"))
    by_id("f-reason").send_keys("患者退费")
    by_id("f-reason").send_keys(Keys.F9)
    L.check(L.wait_for(lambda: text("saved-ref")), "a void saved")
    L.check(L.count(opd, "void") == 1, "one void entry")

    # -- no request outside the station ----------------------------------------
    urls = L.requested_urls(d)
    # chrome:// pages are the browser's own new-tab page, not network traffic.
    net = [u for u in urls if not u.startswith(("chrome:", "chrome-", "about:", "devtools:"))]
    outside = [u for u in net if not (u.startswith(base + "/") or u.startswith("data:"))]
    L.check(net and not outside, "no request outside the station (%d requests): %s" % (len(net), outside[:3]))
    L.check(not [u for u in net if "favicon" in u], "not even a favicon request: %s" % [u for u in net if "favicon" in u])
    res = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    L.check(all(u.startswith(base + "/") for u in res), "resource timing agrees")
    # Signing out: the page goes back to the sign-in.
    by_id("signout").click()
    L.check(L.wait_for(lambda: by_id("signin").is_displayed()), "signed out")
    L.stop(p)

    # -- nurse: a requisition --------------------------------------------------
    ward = L.station("WARD1", role="ward", dept="内科病区", operators=OPS)
    p, base = L.serve(ward)
    bases.append(base)
    L.check(signin(base, "刘洋", "2345"), "the nurse signs in")
    L.check("药品请领" in text("tabs") and "病区记账" in text("tabs") and "收费" not in text("tabs"), "the nurse sees the ward's forms")
    by_id("f-patient_id").send_keys("Z0088")
    by_id("f-patient_name").send_keys("李四")
    by_id("f-doctor").send_keys("陈医生")
    add_item("qms", "4")
    add_item("Y0002", "2")
    shot("nurse")
    active().send_keys(Keys.F9)
    wref = saved_ref()
    L.check(wref and wref.startswith("BL-WARD1-"), "a requisition saved: %s" % wref)
    by_id("print-requisition").click()
    L.check(L.wait_for(lambda: d.find_elements(By.ID, "print-frame")), "the requisition is loaded for printing")
    purl = by_id("print-frame").get_attribute("src")
    d.get(purl)
    body = L.wait_for(lambda: d.find_element(By.TAG_NAME, "body").text)
    L.check(body and "第一联" in body and "第二联" in body, "the requisition prints two copies")
    L.check(body and body.count(wref) >= 2, "each copy carries %s" % wref)
    L.check(len(d.find_elements(By.CSS_SELECTOR, "svg")) >= 2, "each copy carries a barcode")
    shot("requisition")
    d.back()
    L.wait_for(lambda: by_id("work").is_displayed())
    L.stop(p)

    # -- pharmacist: dispense by scanning; another station's reference refused --
    ph = L.station("PH1", role="pharmacy", dept="住院药房", operators=OPS)
    rx = L.bulu(ph, "capture", "prescription", "--operator", "周敏", "--patient", "0012345",
                "--item", "Y0001:2", "--item", "Y0004:1").stdout.split()[1]
    p, base = L.serve(ph)
    bases.append(base)
    L.check(signin(base, "周敏", "3456"), "the pharmacist signs in")
    n2 = L.count(ph)
    by_id("f-ref").send_keys(wref + Keys.ENTER)   # a scanner types the reference and Enter
    L.check(L.wait_for(lambda: "其他站点" in text("result") and "WARD1" in text("result")), "another station's requisition is recognised: " + text("result"))
    L.check(active().get_attribute("id") == "item-q", "the cursor goes to the items, to type what is handed out")
    add_item("qms", "4")
    add_item("Y0002", "2")
    shot("pharmacist-other-station")
    active().send_keys(Keys.F9)
    oref = saved_ref()
    L.check(oref and L.count(ph, "dispense") == 1, "a dispense by another station's requisition reference saved: %s" % oref)
    r = L.bulu(ph, "journal", "show", "--kind", "dispense", "--format", "json")
    L.check('"ref_station":"WARD1"' in r.stdout.replace(" ", ""), "it names the ward's station")
    n2 = L.count(ph)
    by_id("f-ref").clear()
    by_id("f-ref").send_keys(rx + Keys.ENTER)
    L.check(L.wait_for(lambda: len(d.find_elements(By.CSS_SELECTOR, "#lines tr")) == 2), "scanning the prescription fills its lines")
    shot("pharmacist")
    active().send_keys(Keys.F9)
    dref = saved_ref()
    L.check(dref and L.count(ph, "dispense") == 2, "a dispense saved against the scanned reference: %s" % dref)
    L.stop(p)

    # -- lab: an exam, in a drill: the drill banner ----------------------------------
    lab = L.station("LAB1", role="exam", dept="检验科", operators=OPS, drill=True)
    p, base = L.serve(lab)
    bases.append(base)
    L.check(signin(base, "吴刚", "4567"), "the lab signs in")
    L.check(by_id("banner-drill").is_displayed() and "演练" in text("banner-drill"), "the drill banner is shown")
    by_id("f-request_no").send_keys("JY-20261121-07")
    by_id("f-patient_id").send_keys("0012345")
    add_item("血常规", "1")
    shot("lab-drill")
    active().send_keys(Keys.F9)
    L.check(L.wait_for(lambda: text("saved-ref")), "an exam saved in the drill")
    L.stop(p)

    # -- no outage open: the red banner -------------------------------------------
    idle = L.station("OPD2", operators=OPS, outage=False)
    p, base = L.serve(idle)
    d.get(base + "/")
    L.check(L.wait_for(lambda: by_id("banner-noepisode").is_displayed()), "a red banner when no outage is open")
    shot("no-outage")
    L.stop(p)
finally:
    d.quit()
L.finish()
