/* app.js - the station screen (bulu station serve).  Plain JavaScript, no
 * library: sign-in, the forms of each role, item suggestions, totals, saving
 * with one idempotency key per form, the banners, Chinese first with English
 * one click away.  Every request goes to this station (same origin); the
 * page keeps no patient data once a form is saved.  docs/screen.md. */
'use strict';

const I18N = {
  lock: ['锁屏', 'Lock'], signout: ['退出', 'Sign out'],
  drill_banner: ['演练 · 本次录入均为演练数据 · 不是真实停机', 'DRILL · everything entered is drill data · not a real outage'],
  noepisode_banner: ['没有开启的停机事件：录入会被拒绝。请信息科先开始停机（bulu outage start）',
    'No outage episode is open: forms will be refused. IT must start one first (bulu outage start)'],
  offline_banner: ['连接不到本站服务（bulu station serve 未运行？）：现在保存不了',
    'Cannot reach this station (is bulu station serve running?): nothing can be saved now'],
  signin_title: ['登录', 'Sign in'], name: ['姓名', 'Name'], pin: ['PIN 码', 'PIN'], signin: ['登录', 'Sign in'],
  recent: ['最近保存', 'Recently saved'],
  keys_help: ['F1–F6 切换单据 · Enter 下一项 · ↑↓ 选择项目 · F9 或 Ctrl+Enter 保存 · Esc 清除提示 · Alt+L 锁屏',
    'F1–F6 switch form · Enter next field · ↑↓ pick an item · F9 or Ctrl+Enter save · Esc clear · Alt+L lock'],
  wrong_pin: ['姓名或 PIN 码不对', 'Wrong name or PIN'],
  too_many: ['尝试次数过多，请一分钟后再试', 'Too many attempts: wait a minute'],
  station: ['站点', 'Station'], episode: ['停机事件', 'Outage'], since: ['自', 'since'],
  no_episode: ['无停机事件', 'no outage open'], catalog: ['价表', 'Catalog'], days: ['天', 'days'],
  no_catalog: ['未载入价表', 'no catalog'],
  unexported: ['未导出', 'Not exported'], entries: ['条', 'entries'], oldest: ['最早', 'oldest'],
  minutes_ago: ['分钟前', 'min ago'], hours_ago: ['小时前', 'h ago'],
  catalog_old: ['价表已 {n} 天未更新（版本 {v}）：价格可能已变，请联系信息科', 'The catalog is {n} days old (version {v}): prices may have changed; tell IT'],
  items: ['项目', 'Items'], item_find: ['输入编码、拼音码或名称', 'Type a code, pinyin initials or part of the name'],
  code: ['编码', 'Code'], item_name: ['名称', 'Name'], unit: ['单位', 'Unit'], price: ['单价', 'Price'],
  qty: ['数量', 'Qty'], amount: ['金额', 'Amount'], total: ['合计', 'Total'], yuan: ['元', 'yuan'],
  no_match: ['没有匹配的项目', 'No item matches'],
  save: ['保存 (F9)', 'Save (F9)'], clear: ['清空', 'Clear'], saving: ['正在保存…', 'Saving…'],
  saved: ['已保存', 'Saved'], saved_again: ['已保存（重复提交，未重复保存）', 'Saved (sent twice, saved once)'],
  not_saved: ['未保存：', 'Not saved: '], invoice: ['发票', 'Invoice'], pay: ['支付', 'Paid by'],
  next_invoice: ['下一张：{n}', 'next: {n}'],
  del: ['删除', 'Remove'], line_n: ['第 {n} 行', 'line {n}'],
  signed_out: ['已锁屏或登录已过期，请重新登录', 'Locked or signed out: sign in again'],
  load_ref: ['读取', 'Load'], ref_loaded: ['已读取 {r}（{k}）', 'Loaded {r} ({k})'],
  voided: ['已作废', 'voided'],
  sum_title: ['轧账（本人、本次停机）', 'Cash-up (mine, this outage)'],
  sum_method: ['支付方式', 'Method'], sum_charges: ['收费笔数', 'Charges'], sum_charges_amt: ['收费金额', 'Charged'],
  sum_regs: ['挂号笔数', 'Registrations'], sum_regs_amt: ['挂号金额', 'Reg. fees'], sum_void: ['退费', 'Refunded'],
  sum_net: ['净额', 'Net'], sum_gross: ['应收', 'Gross'], sum_refunds: ['退费合计', 'Refunds'],
  sum_inv_used: ['已用发票', 'Invoices used'], sum_inv_voided: ['作废发票', 'Invoices voided'],
  refresh: ['刷新', 'Refresh'], none: ['无', 'none'],
  role_cashier: ['收款员', 'cashier'], role_nurse: ['护士', 'nurse'], role_pharmacist: ['药师', 'pharmacist'],
  role_lab: ['检验', 'lab'], role_imaging: ['影像', 'imaging'], role_it: ['信息科', 'IT'],
  system_error: ['系统错误，未保存', 'System error: not saved'],
  kind_role: ['您的角色不能保存这种单据', 'Your role cannot save this kind of form'],
  csrf: ['页面已过期，请刷新页面', 'This page is stale: reload it'],
  print_receipt: ['打印收据', 'Print receipt'], print_req: ['打印请领单（两联）', 'Print requisition (2 copies)'],
  print_cashup: ['打印轧账单', 'Print cash-up sheet'], reprint: ['重打', 'Reprint'],
  paper: ['纸张', 'Paper'], printing: ['正在打印 {r}', 'Printing {r}'], reprinting: ['重打 {r}', 'Reprinting {r}'],
};

const KINDS = {
  charge: { zh: '收费', en: 'Charge', fields: ['patient_id', 'patient_name', 'doctor', 'fee_type', 'request_no'], lines: true, tail: ['invoice_no', 'pay', 'note'] },
  registration: { zh: '挂号', en: 'Registration', fields: ['patient_id', 'patient_name', 'sex', 'doctor', 'fee_item', 'fee', 'invoice_no', 'pay', 'new_card', 'card_no', 'note'] },
  card_issue: { zh: '发卡', en: 'New card', fields: ['card_no', 'patient_id', 'patient_name', 'note'] },
  void: { zh: '作废/退费', en: 'Void / refund', fields: ['ref', 'reason', 'note'] },
  invoice_void: { zh: '发票作废', en: 'Spoiled invoice', fields: ['invoice_no', 'reason', 'note'] },
  requisition: { zh: '药品请领', en: 'Drug requisition', fields: ['patient_id', 'patient_name', 'doctor', 'fee_type', 'request_no'], lines: true, tail: ['note'] },
  ward_charge: { zh: '病区记账', en: 'Ward charge', fields: ['patient_id', 'patient_name', 'doctor', 'request_no'], lines: true, tail: ['note'] },
  order: { zh: '医嘱', en: "Doctor's order", fields: ['patient_id', 'patient_name', 'doctor', 'request_no'], lines: true, tail: ['note'] },
  prescription: { zh: '处方', en: 'Prescription', fields: ['patient_id', 'patient_name', 'doctor', 'request_no'], lines: true, tail: ['note'] },
  dispense: { zh: '发药', en: 'Dispense', fields: ['ref', 'patient_id', 'request_no'], lines: true, tail: ['note'] },
  exam: { zh: '检查', en: 'Exam', fields: ['request_no', 'patient_id', 'patient_name', 'doctor'], lines: true, tail: ['note'] },
  note: { zh: '交班备注', en: 'Note', fields: ['text'] },
  summary: { zh: '轧账', en: 'Cash-up' },
};

const ROLE_TABS = {
  cashier: ['charge', 'registration', 'card_issue', 'void', 'invoice_void', 'summary'],
  nurse: ['requisition', 'order', 'ward_charge', 'void', 'note'],
  pharmacist: ['dispense', 'prescription', 'void', 'note'],
  lab: ['exam', 'void', 'note'], imaging: ['exam', 'void', 'note'],
  it: ['charge', 'registration', 'card_issue', 'void', 'invoice_void', 'requisition', 'order', 'ward_charge',
    'prescription', 'dispense', 'exam', 'note', 'summary'],
};

const FIELDS = {
  patient_id: ['患者编号（卡号/住院号）', 'Patient ID (card / inpatient no.)'],
  patient_name: ['姓名', 'Name'], sex: ['性别', 'Sex'], doctor: ['医生', 'Doctor'],
  fee_type: ['费别', 'Fee type'], request_no: ['单号（申请单/处方号）', 'Form no. (request / prescription)'],
  invoice_no: ['发票号', 'Invoice no.'], pay: ['支付方式', 'Payment'], fee: ['挂号费（元）', 'Fee (yuan)'],
  new_card: ['发新卡', 'New card'], fee_item: ['挂号类别（价表）', 'Registration type (catalog)'], card_no: ['卡号', 'Card no.'],
  ref: ['单据号（扫码或输入 BL-…）', 'Reference (scan or type BL-…)'], reason: ['原因', 'Reason'],
  note: ['备注', 'Remark'], text: ['内容', 'Text'],
};
/* The server's field names for a refusal, mapped onto the page's. */
const FIELD_OF = { pay_method: 'pay', ref_form: 'ref', item_code: 'lines', qty: 'lines', unit_price: 'lines' };

let lang = localStorage.getItem('bulu.lang') === 'en' ? 'en' : 'zh';
let st = null;            /* the last /api/status */
let current = null;       /* the kind on screen */
let formKey = null;       /* this form's idempotency key */
let lines = [];           /* {code, name, unit, price_fen, qty} */
let sugg = [], suggAt = -1, suggSeq = 0;
let lastAct = Date.now();
let saving = false;

const $ = (sel, root) => (root || document).querySelector(sel);
const el = (tag, attrs, kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids || []) if (k != null) e.append(k);
  return e;
};
const t = (key, vars) => {
  const p = I18N[key];
  let s = p ? p[lang === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
};
/* Text in both languages: shown in the current one, switched by the toggle. */
const bi = (e, zh, en) => { e.dataset.zh = zh; e.dataset.en = en; e.textContent = lang === 'zh' ? zh : en; return e; };
const biKey = (e, key, vars) => { const z = lang; lang = 'zh'; const zh = t(key, vars); lang = 'en'; const en = t(key, vars); lang = z; return bi(e, zh, en); };
const yuan = fen => (fen / 100).toFixed(2);
/* What a Chinese keyboard types in numbers and codes: ０-９, Ａ-Ｚ, ：, 。 */
const half = s => s.replace(/[\uFF01-\uFF5E]/g, c => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
  .replace(/\u3000/g, ' ').replace(/\u3002/g, '.');
const hhmm = iso => iso ? iso.slice(5, 10) + ' ' + iso.slice(11, 16) : '';
const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
  : Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join(''));

function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('#lang').textContent = lang === 'zh' ? 'English' : '中文';
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll('[data-zh]')) e.textContent = lang === 'zh' ? e.dataset.zh : e.dataset.en;
  for (const e of document.querySelectorAll('[data-ph-zh]')) e.placeholder = lang === 'zh' ? e.dataset.phZh : e.dataset.phEn;
}

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  if (method === 'POST' && st && st.csrf) opt.headers['X-CSRF-Token'] = st.csrf;
  let r;
  try {
    r = await fetch(path, opt);
  } catch (e) {
    $('#banner-offline').hidden = false;
    throw e;
  }
  $('#banner-offline').hidden = true;
  let j = {};
  try { j = await r.json(); } catch (e) { j = { ok: false, error: 'system' }; }
  j.status = r.status;
  if (r.status === 401 && path !== '/api/signin') showSignin(true);
  return j;
}

/* ---- status bar and banners ---------------------------------------------- */

function ago(sec) {
  if (sec < 3600) return Math.max(0, Math.floor(sec / 60)) + ' ' + t('minutes_ago');
  return Math.floor(sec / 3600) + ' ' + t('hours_ago');
}

function renderStatus() {
  if (!st) return;
  const s = $('#st-station');
  s.textContent = '';
  s.append(el('b', { text: st.dept }), ' · ' + st.station);
  const ep = $('#st-episode');
  ep.className = 'cell' + (st.episode ? '' : ' bad');
  ep.textContent = st.episode ? t('episode') + ' ' + st.episode + ' ' + t('since') + ' ' + hhmm(st.episode_since)
    : t('no_episode');
  const c = $('#st-catalog');
  if (st.catalog) {
    c.className = 'cell' + (st.catalog.old ? ' warn' : '');
    c.textContent = t('catalog') + ' ' + st.catalog.version + ' · ' + st.catalog.age_days + ' ' + t('days');
  } else {
    c.className = 'cell bad';
    c.textContent = t('no_catalog');
  }
  const u = $('#st-unexported');
  const un = st.unexported || { count: 0 };
  u.textContent = t('unexported') + ' ' + un.count + ' ' + t('entries') +
    (un.count && un.oldest_age_seconds >= 0 ? ' · ' + t('oldest') + ' ' + ago(un.oldest_age_seconds) : '');
  u.className = 'cell' + (un.count && un.oldest_age_seconds > 3600 ? ' warn' : '');
  $('#st-operator').textContent = st.signed_in ? st.operator + '（' + t('role_' + st.role) + '）' : '';
  $('#banner-drill').hidden = !st.drill;
  $('#banner-noepisode').hidden = !!st.episode;
  const bc = $('#banner-catalog');
  bc.hidden = !(st.catalog && st.catalog.old);
  if (st.catalog && st.catalog.old) biKey(bc, 'catalog_old', { n: st.catalog.age_days, v: st.catalog.version });
  $('#lock').hidden = $('#signout').hidden = !st.signed_in;
  $('#signin-station').textContent = st.dept + ' · ' + st.station;
  const ni = $('#f-invoice_no');
  if (ni && st.next_invoice) {
    ni.dataset.phZh = '下一张：' + st.next_invoice;
    ni.dataset.phEn = 'next: ' + st.next_invoice;
    ni.placeholder = lang === 'zh' ? ni.dataset.phZh : ni.dataset.phEn;
  }
}

async function refresh() {
  try {
    st = await api('GET', '/api/status');
  } catch (e) { return; }
  renderStatus();
  if (!st.signed_in && !$('#work').hidden) showSignin(true);
  return st;
}

/* ---- sign-in and lock ------------------------------------------------------ */

function showSignin(locked) {
  const name = st && st.operator;
  $('#work').hidden = true;
  $('#signin').hidden = false;
  if (st) { st.signed_in = false; st.csrf = null; }
  const dl = $('#si-names');
  dl.textContent = '';
  for (const n of (st && st.operators) || []) dl.append(el('option', { value: n }));
  if (locked && name) $('#si-name').value = name;
  $('#si-pin').value = '';
  if (locked) biKey($('#si-err'), 'signed_out'); else $('#si-err').textContent = '';
  ($('#si-name').value ? $('#si-pin') : $('#si-name')).focus();
  lines = [];
}

async function signin(ev) {
  ev.preventDefault();
  const r = await api('POST', '/api/signin', { name: $('#si-name').value, pin: half($('#si-pin').value) });
  $('#si-pin').value = '';
  if (!r.ok) {
    biKey($('#si-err'), r.error === 'too_many_attempts' ? 'too_many' : 'wrong_pin');
    $('#si-pin').focus();
    return;
  }
  $('#si-err').textContent = '';
  await refresh();
  startWork();
}

/* Locking and signing out both end the session on the station; a lock
 * keeps the name on the sign-in form. */
async function signout(lockOnly) {
  const name = st && st.operator;
  if (st && st.csrf) { try { await api('POST', '/api/signout', {}); } catch (e) { /* offline */ } }
  await refresh();
  if (st && lockOnly) st.operator = name;
  showSignin(!!lockOnly);
}

function startWork() {
  $('#signin').hidden = true;
  $('#work').hidden = false;
  lastAct = Date.now();
  const tabs = $('#tabs');
  tabs.textContent = '';
  const kinds = ROLE_TABS[st.role] || [];
  kinds.forEach((k, i) => {
    const b = el('button', { type: 'button', role: 'tab', 'data-kind': k, id: 'tab-' + k, onclick: () => show(k) });
    const label = el('span');
    bi(label, KINDS[k].zh, KINDS[k].en);
    b.append(label, el('kbd', { text: 'F' + (i + 1) }));
    tabs.append(b);
  });
  show(kinds.includes(current) ? current : kinds[0]);
  loadRecent();
}

/* ---- the forms ---------------------------------------------------------------- */

function fieldInput(name) {
  let input;
  if (name === 'pay') {
    input = el('select', { id: 'f-pay', name });
    for (const m of st.pay_methods || []) input.append(el('option', { value: m.code, text: m.label + '  ' + m.code }));
  } else if (name === 'sex') {
    input = el('select', { id: 'f-sex', name }, [el('option', { value: '', text: '' }),
      el('option', { value: '男', text: '男' }), el('option', { value: '女', text: '女' })]);
  } else if (name === 'fee_item') {
    /* the catalog's registration fee items: choosing one fills the fee */
    input = el('select', { id: 'f-fee_item', name }, [el('option', { value: '', text: '—' })]);
    api('GET', '/api/items?q=' + encodeURIComponent('挂号')).then(r => {
      for (const it of (r.ok ? r.items : []).filter(i => i.category === '挂号' || /挂号/.test(i.name)))
        input.append(el('option', { value: it.code, 'data-price': it.price, text: it.name + '  ' + it.price + ' 元' }));
    });
    /* the fee item is saved as the form's line, priced from the catalog (like
       --item GH001); the fee field shows its price and is not sent */
    input.addEventListener('change', () => {
      const f = $('#f-fee');
      if (!f) return;
      const o = input.selectedOptions[0];
      f.value = input.value && o ? o.dataset.price : '';
      f.readOnly = !!input.value;
    });
  } else if (name === 'new_card') {
    input = el('input', { id: 'f-new_card', name, type: 'checkbox' });
  } else if (name === 'text' || name === 'reason' && current !== 'invoice_void' && current !== 'void') {
    input = el('textarea', { id: 'f-' + name, name, rows: 3 });
  } else {
    const numeric = ['patient_id', 'invoice_no', 'fee', 'card_no'].includes(name);
    input = el('input', { id: 'f-' + name, name, inputmode: numeric ? 'numeric' : null, autocomplete: 'off' });
  }
  if (name === 'invoice_no' && current !== 'invoice_void' && st.next_invoice) {
    input.dataset.phZh = '下一张：' + st.next_invoice;
    input.dataset.phEn = 'next: ' + st.next_invoice;
    input.placeholder = lang === 'zh' ? input.dataset.phZh : input.dataset.phEn;
  }
  if (name === 'ref') {
    input.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); loadRef(); } });
    input.addEventListener('change', () => loadRef());
  }
  return input;
}

function show(kind) {
  current = kind;
  for (const b of document.querySelectorAll('#tabs button')) b.setAttribute('aria-selected', b.dataset.kind === kind);
  $('#result').textContent = '';
  $('#result').className = '';
  if (kind === 'summary') {
    $('#form').hidden = true;
    $('#summary').hidden = false;
    loadSummary();
    return;
  }
  $('#form').hidden = false;
  $('#summary').hidden = true;
  newForm();
}

function newForm() {
  const k = KINDS[current];
  formKey = newKey();
  lines = [];
  const f = $('#form');
  f.textContent = '';
  f.append(bi(el('h2'), k.zh, k.en));
  const grid = el('div', { class: 'fields' }), tail = el('div', { class: 'fields tail' });
  for (const name of k.fields.concat(k.tail || [])) {
    const lab = FIELDS[name];
    let zh = lab[0], en = lab[1];
    if (name === 'patient_id' && (current === 'requisition' || current === 'ward_charge')) { zh = '住院号'; en = 'Inpatient no.'; }
    if (name === 'invoice_no' && current === 'invoice_void') { zh = '作废的发票号'; en = 'Spoiled invoice no.'; }
    if (name === 'ref' && current === 'void') { zh = '要作废的单据（BL-… 或序号）'; en = 'Form to void (BL-… or seq)'; }
    if (name === 'ref' && current === 'dispense') { zh = '处方/请领单号（扫码或输入 BL-…）'; en = 'Prescription / requisition (scan or type BL-…)'; }
    const wrap = el('div', { class: 'field' + (name === 'text' || name === 'note' ? ' wide' : ''), 'data-field': name });
    wrap.append(bi(el('label', { for: 'f-' + name }), zh, en), fieldInput(name), el('p', { class: 'err', id: 'err-' + name }));
    ((k.tail || []).includes(name) ? tail : grid).append(wrap);
  }
  f.append(grid);
  if (k.lines) f.append(itemsBlock());
  if (k.tail) f.append(tail);
  const save = el('button', { type: 'submit', class: 'primary', id: 'save' });
  biKey(save, 'save');
  const clear = el('button', { type: 'button', id: 'clear', onclick: () => { newForm(); } });
  biKey(clear, 'clear');
  f.append(el('div', { class: 'actions' }, [save, clear, el('span', { class: 'formerr', id: 'formerr', role: 'alert' })]));
  renderLines();
  const first = f.querySelector('input, select, textarea');
  if (first) first.focus();
}

function itemsBlock() {
  const q = el('input', { id: 'item-q', autocomplete: 'off', role: 'combobox', 'aria-controls': 'sugg', 'aria-expanded': 'false' });
  biKey(q, 'item_find');
  q.dataset.phZh = q.dataset.zh; q.dataset.phEn = q.dataset.en;
  delete q.dataset.zh; delete q.dataset.en;
  q.textContent = '';
  q.placeholder = lang === 'zh' ? q.dataset.phZh : q.dataset.phEn;
  q.addEventListener('input', () => suggest(q.value));
  q.addEventListener('keydown', suggKey);
  const head = el('tr', {}, [['code', ''], ['item_name', ''], ['unit', ''], ['price', 'num'], ['qty', 'num'], ['amount', 'num'], ['', '']]
    .map(([k, c]) => { const th = el('th', { class: c }); if (k) biKey(th, k); return th; }));
  const tot = el('div', { class: 'total' }, [biKey(el('span'), 'total'), el('b', { id: 'total', text: '0.00' }), biKey(el('span'), 'yuan')]);
  return el('div', { class: 'items' }, [
    biKey(el('h2'), 'items'),
    el('div', { class: 'finder' }, [q, el('ul', { id: 'sugg', role: 'listbox', hidden: true })]),
    el('p', { class: 'err', id: 'err-lines' }),
    el('table', { class: 'lines' }, [el('thead', {}, [head]), el('tbody', { id: 'lines' })]),
    tot]);
}

function renderLines() {
  const tb = $('#lines');
  if (!tb) return;
  tb.textContent = '';
  let total = 0;
  lines.forEach((l, i) => {
    const qty = parseInt(half(String(l.qty)), 10);
    const amt = Number.isFinite(qty) && qty > 0 ? l.price_fen * qty : 0;
    total += amt;
    const qi = el('input', { class: 'qty', value: l.qty, inputmode: 'numeric', 'data-line': i, 'aria-label': t('qty') });
    qi.addEventListener('input', () => { l.qty = qi.value; updateTotals(); });
    qi.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); $('#item-q').focus(); } });
    const del = el('button', { type: 'button', class: 'del', title: t('del'), text: '✕', onclick: () => { lines.splice(i, 1); renderLines(); } });
    tb.append(el('tr', { 'data-line': i }, [el('td', { text: l.code }), el('td', { text: l.name }), el('td', { text: l.unit }),
      el('td', { class: 'num', text: yuan(l.price_fen) }), el('td', { class: 'num' }, [qi]),
      el('td', { class: 'num amt', text: yuan(amt) }), el('td', {}, [del])]));
  });
  $('#total').textContent = yuan(total);
}

function updateTotals() {
  let total = 0;
  document.querySelectorAll('#lines tr').forEach((tr, i) => {
    const l = lines[i];
    const qty = parseInt(half(String(l.qty)), 10);
    const amt = Number.isFinite(qty) && qty > 0 ? l.price_fen * qty : 0;
    total += amt;
    tr.querySelector('.amt').textContent = yuan(amt);
  });
  $('#total').textContent = yuan(total);
}

/* ---- item suggestions ------------------------------------------------------- */

async function suggest(text) {
  const q = half(text).trim();
  const seq = ++suggSeq;
  const ul = $('#sugg');
  delete ul.dataset.q;
  if (!q) { ul.hidden = true; sugg = []; return; }
  const r = await api('GET', '/api/items?q=' + encodeURIComponent(q));
  if (seq !== suggSeq) return;       /* a later keystroke's answer wins */
  sugg = r.ok ? r.items : [];
  suggAt = sugg.length ? 0 : -1;
  ul.dataset.q = q;  /* which text the list answers (a scanner or a test may wait for it) */
  renderSugg();
}

function renderSugg() {
  const ul = $('#sugg');
  ul.textContent = '';
  ul.hidden = false;
  $('#item-q').setAttribute('aria-expanded', 'true');
  if (!sugg.length) { ul.append(biKey(el('li', { class: 'none' }), 'no_match')); return; }
  sugg.forEach((it, i) => {
    const li = el('li', { role: 'option', 'aria-selected': i === suggAt, 'data-code': it.code, onmousedown: e => { e.preventDefault(); pick(i); } },
      [el('span', { class: 'code', text: it.code }), el('span', { text: it.name }), el('span', { text: it.unit }),
        el('span', { class: 'price', text: it.price })]);
    ul.append(li);
  });
  const sel = ul.children[suggAt];
  if (sel && sel.scrollIntoView) sel.scrollIntoView({ block: 'nearest' });
}

function suggKey(e) {
  const ul = $('#sugg');
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    if (!sugg.length) return;
    suggAt = (suggAt + (e.key === 'ArrowDown' ? 1 : sugg.length - 1)) % sugg.length;
    renderSugg();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    e.stopPropagation();
    if (!ul.hidden && suggAt >= 0) pick(suggAt);
    else if (!e.target.value.trim()) {
      const next = document.querySelector('#form .fields.tail input, #form .fields.tail select') || $('#save');
      next.focus();
    }
  } else if (e.key === 'Escape') {
    ul.hidden = true;
  }
}

function pick(i) {
  const it = sugg[i];
  const same = lines.findIndex(l => l.code === it.code);
  if (same >= 0) lines[same].qty = String((parseInt(half(String(lines[same].qty)), 10) || 0) + 1);
  else lines.push({ code: it.code, name: it.name, unit: it.unit, price_fen: it.price_fen, qty: '1' });
  $('#item-q').value = '';
  $('#sugg').hidden = true;
  delete $('#sugg').dataset.q;
  sugg = [];
  renderLines();
  const at = same >= 0 ? same : lines.length - 1;
  const qi = document.querySelector('#lines input.qty[data-line="' + at + '"]');
  if (qi) { qi.focus(); qi.select(); }
}

/* ---- a reference typed or scanned ---------------------------------------------- */

async function loadRef() {
  const inp = $('#f-ref');
  const ref = half(inp.value).trim();
  clearErrors();
  if (!ref) return;
  inp.value = ref;
  const r = await api('GET', '/api/entry?ref=' + encodeURIComponent(ref));
  if (!r.ok) { showRefusal(r); return; }
  if (r.other_station) {
    /* a ward's requisition: its form is at the ward's station; the paper in
       hand says what to dispense, and reconcile checks it against the ward's */
    const res = $('#result');
    res.className = '';
    res.textContent = '';
    res.append(bi(el('div', { id: 'ref-other' }), '其他站点 ' + r.other_station + ' 的单据 ' + r.ref + '：请按纸质请领单录入实发药品',
      'A form of station ' + r.other_station + ' (' + r.ref + '): enter what is handed out from the paper form'));
    if (current === 'dispense') $('#item-q').focus(); else focusNext(inp);
    return;
  }
  const kindName = KINDS[r.kind] ? (lang === 'zh' ? KINDS[r.kind].zh : KINDS[r.kind].en) : r.kind;
  const res = $('#result');
  res.className = '';
  res.textContent = '';
  res.append(biKey(el('div'), 'ref_loaded', { r: r.ref, k: kindName }));
  if (r.voided) res.append(biKey(el('div', { class: 'formerr' }), 'voided'));
  if (current === 'dispense' && Array.isArray(r.lines)) {
    lines = r.lines.map(l => ({ code: l.code, name: l.name, unit: l.unit, price_fen: l.price, qty: String(l.qty) }));
    if (r.patient_id && $('#f-patient_id') && !$('#f-patient_id').value) $('#f-patient_id').value = r.patient_id;
    renderLines();
    const qi = document.querySelector('#lines input.qty');
    if (qi) qi.focus(); else $('#item-q').focus();
  } else {
    focusNext(inp);
  }
}

/* ---- saving --------------------------------------------------------------------- */

function clearErrors() {
  for (const e of document.querySelectorAll('#form .err')) { e.textContent = ''; delete e.dataset.zh; delete e.dataset.en; }
  for (const e of document.querySelectorAll('#form .bad')) e.classList.remove('bad');
  const fe = $('#formerr');
  if (fe) { fe.textContent = ''; delete fe.dataset.zh; delete fe.dataset.en; }
}

function showRefusal(r) {
  const field = FIELD_OF[r.field] || r.field;
  const zh = r.zh || t('system_error'), en = r.en || r.error || 'error';
  let target = $('#err-' + field);
  if (field === 'lines' && r.field !== 'item_code' || r.field === 'item_code' && lines.length > r.line) {
    const tr = document.querySelector('#lines tr[data-line="' + r.line + '"]');
    if (tr) tr.classList.add('bad');
    const n = (r.line || 0) + 1;
    if (target) bi(target, '第 ' + n + ' 行：' + zh, 'line ' + n + ': ' + en);
    target = target || null;
  } else if (target) {
    bi(target, zh, en);
    const wrap = target.closest('.field');
    if (wrap) wrap.classList.add('bad');
  }
  const fe = $('#formerr');
  if (fe) bi(fe, '未保存：' + zh, 'Not saved: ' + en);
  const res = $('#result');
  res.className = 'refused';
  res.textContent = '';
  res.append(bi(el('div'), '未保存：' + zh, 'Not saved: ' + en));
  const focus = field === 'lines' ? document.querySelector('#lines tr.bad input') || $('#item-q') : $('#f-' + field);
  if (focus) focus.focus();
}

function collect() {
  const k = KINDS[current];
  const body = { kind: current, key: formKey };
  for (const name of k.fields.concat(k.tail || [])) {
    const e = $('#f-' + name);
    if (!e) continue;
    if (name === 'fee_item') {
      if (e.value) body.lines = [{ code: e.value, qty: '1' }];
      continue;
    }
    if (name === 'fee' && $('#f-fee_item') && $('#f-fee_item').value) continue;
    if (name === 'new_card') body.new_card = e.checked;
    else if (name === 'text') body.note = e.value;
    else body[name] = e.value;
  }
  if (k.lines) body.lines = lines.map(l => ({ code: l.code, qty: half(String(l.qty)).trim() }));
  return body;
}

async function save(ev) {
  if (ev) ev.preventDefault();
  if (saving || !current || current === 'summary') return;
  saving = true;
  const btn = $('#save');
  btn.disabled = true;
  biKey(btn, 'saving');
  clearErrors();
  let r;
  try {
    r = await api('POST', '/api/save', collect());
  } catch (e) {
    r = { ok: false, error: 'offline', zh: t('offline_banner'), en: 'offline' };
  }
  saving = false;
  btn.disabled = false;
  biKey(btn, 'save');
  if (r.status === 401) return;
  if (!r.ok) {
    if (r.error === 'csrf') { r.zh = I18N.csrf[0]; r.en = I18N.csrf[1]; }
    showRefusal(r);
    return;
  }
  const kind = KINDS[r.kind] || { zh: r.kind, en: r.kind };
  newForm();
  const res = $('#result');
  res.className = 'saved';
  res.textContent = '';
  res.append(biKey(el('div'), r.again ? 'saved_again' : 'saved'), el('div', { class: 'ref', id: 'saved-ref', text: r.ref }),
    bi(el('div'), kind.zh + ' · ' + hhmm(r.recorded_at), kind.en + ' · ' + hhmm(r.recorded_at)));
  if (r.warning) res.append(bi(el('div', { class: 'formerr' }), r.warning.zh, r.warning.en));
  if (r.total) res.append(bi(el('div'), t('total') + ' ' + r.total + ' 元', 'Total ' + r.total + ' yuan'));
  if (r.invoice_no) {
    const m = (st.pay_methods || []).find(p => p.code === r.pay);
    res.append(bi(el('div'), '发票 ' + r.invoice_no + (r.pay ? ' · ' + (m ? m.label : r.pay) : ''),
      'Invoice ' + r.invoice_no + (r.pay ? ' · ' + r.pay : '')));
  }
  const printable = r.invoice_no ? 'receipt' : r.kind === 'requisition' ? 'requisition' : null;
  if (printable) {
    const b = el('button', { type: 'button', class: 'primary', id: 'print-' + printable,
      onclick: () => printForm(printable, r.ref, printable === 'requisition') });
    biKey(b, printable === 'receipt' ? 'print_receipt' : 'print_req');
    res.append(el('div', { class: 'actions' }, [b, paperSelect(printable)]));
  }
  refresh();
  loadRecent();
}

/* ---- printing (capture/printout.c makes the pages) --------------------------------- */

const PAPERS = { receipt: ['80mm', 'a5', 'a4'], requisition: ['a4', 'a5'], cashup: ['a4', 'a5'] };

function paperSelect(form) {
  const sel = el('select', { class: 'paper', id: 'paper-' + form, 'aria-label': t('paper') });
  const want = localStorage.getItem('bulu.paper.' + form) || PAPERS[form][0];
  for (const z of PAPERS[form]) sel.append(el('option', { value: z, text: z.toUpperCase(), selected: z === want }));
  sel.addEventListener('change', () => localStorage.setItem('bulu.paper.' + form, sel.value));
  return sel;
}

/* The page is loaded in a hidden frame of this station and printed from it. */
function printUrl(url) {
  let f = $('#print-frame');
  if (f) f.remove();
  f = el('iframe', { id: 'print-frame', title: 'print', src: url });
  f.addEventListener('load', () => {
    try { f.contentWindow.focus(); f.contentWindow.print(); } catch (e) { /* shown, not printed */ }
    /* back to the form: the keys (F1…, F9) belong to the screen, not the page printed */
    window.focus();
    const back = document.querySelector('#form:not([hidden]) input, #tabs button[aria-selected="true"]');
    if (back) back.focus();
  });
  document.body.append(f);
}

/* form: receipt | requisition | cashup; original: a requisition just saved. */
async function printForm(form, ref, original) {
  const size = ($('#paper-' + form) || {}).value || localStorage.getItem('bulu.paper.' + form) || PAPERS[form][0];
  if (original) {
    printUrl('/print?form=' + form + '&ref=' + encodeURIComponent(ref) + '&size=' + size);
    return;
  }
  const r = await api('POST', '/api/print', { form, ref, size });
  if (!r.ok) { showRefusal(r); return; }
  const res = $('#result');
  if (form !== 'cashup') res.append(biKey(el('div', { class: 'hint' }), r.reprint ? 'reprinting' : 'printing', { r: r.ref }));
  printUrl(r.url);
  if (form === 'cashup') loadRecent();
}

async function loadRecent() {
  const r = await api('GET', '/api/recent');
  const ol = $('#recent');
  ol.textContent = '';
  for (const e of (r.ok ? r.entries : [])) {
    const k = KINDS[e.kind] || { zh: e.kind, en: e.kind };
    const ref = el('span', { class: 'ref', text: e.ref, title: e.recorded_at, onclick: () => {
      const f = $('#f-ref'); if (f) { f.value = e.ref; loadRef(); } } });
    const form = e.invoice_no ? 'receipt' : e.kind === 'requisition' ? 'requisition' : null;
    const rp = form ? biKey(el('button', { type: 'button', class: 'reprint', onclick: () => printForm(form, e.ref, false) }), 'reprint') : null;
    ol.append(el('li', {}, [ref, bi(el('span'), k.zh, k.en), el('span', { text: e.total ? e.total : '' }),
      e.voided ? biKey(el('span', { class: 'voided' }), 'voided') : null, rp]));
  }
}

/* ---- the cash-up ------------------------------------------------------------------ */

async function loadSummary() {
  const box = $('#summary');
  box.textContent = '';
  const r = await api('GET', '/api/summary');
  if (!r.ok) return;
  const s = r.summary;
  const label = code => { const m = (st.pay_methods || []).find(p => p.code === code); return m ? m.label + ' ' + code : code || '—'; };
  const cols = ['sum_method', 'sum_charges', 'sum_charges_amt', 'sum_regs', 'sum_regs_amt', 'sum_void', 'sum_net'];
  const thead = el('tr', {}, cols.map((c, i) => biKey(el('th', { class: i ? 'num' : '' }), c)));
  const rows = s.payments.map(p => el('tr', {}, [el('td', { text: label(p.pay_method) }),
    el('td', { class: 'num', text: p.charges }), el('td', { class: 'num', text: yuan(p.charges_fen) }),
    el('td', { class: 'num', text: p.registrations }), el('td', { class: 'num', text: yuan(p.registrations_fen) }),
    el('td', { class: 'num', text: yuan(p.voided_fen) }), el('td', { class: 'num', text: yuan(p.net_fen) })]));
  const refresh_b = el('button', { type: 'button', onclick: loadSummary });
  biKey(refresh_b, 'refresh');
  const print_b = el('button', { type: 'button', class: 'primary', id: 'print-cashup', onclick: () => printForm('cashup', null, false) });
  biKey(print_b, 'print_cashup');
  box.append(biKey(el('h2'), 'sum_title'),
    el('p', { text: s.operator + ' · ' + s.station + (s.episode ? ' · ' + s.episode : '') }),
    el('table', { class: 'sum', id: 'sum-table' }, [el('thead', {}, [thead]), el('tbody', {}, rows)]),
    el('div', { class: 'total' }, [biKey(el('span'), 'sum_gross'), el('b', { text: yuan(s.gross_fen) }),
      biKey(el('span'), 'sum_refunds'), el('b', { text: yuan(s.refunds_fen) }),
      biKey(el('span'), 'sum_net'), el('b', { id: 'sum-net', text: yuan(s.net_fen) })]),
    el('p', {}, [biKey(el('span'), 'sum_inv_used'), ': ' + (s.invoices_used.join(', ') || '—')]),
    el('p', {}, [biKey(el('span'), 'sum_inv_voided'), ': ' + (s.invoices_voided.join(', ') || '—')]),
    el('div', { class: 'actions' }, [print_b, paperSelect('cashup'), refresh_b]));
}

/* ---- keyboard -------------------------------------------------------------------- */

function focusNext(from) {
  const all = Array.from(document.querySelectorAll('#form input, #form select, #form textarea, #form button.primary'))
    .filter(e => !e.disabled && e.offsetParent !== null);
  const i = all.indexOf(from);
  if (i >= 0 && i + 1 < all.length) all[i + 1].focus();
}

document.addEventListener('keydown', e => {
  lastAct = Date.now();
  if ($('#work').hidden) return;
  if (e.key === 'F9' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) { e.preventDefault(); save(); return; }
  if (e.altKey && (e.key === 'l' || e.key === 'L')) { e.preventDefault(); signout(true); return; }
  const m = /^F([1-8])$/.exec(e.key);
  if (m) {
    const kinds = ROLE_TABS[st.role] || [];
    const k = kinds[parseInt(m[1], 10) - 1];
    if (k) { e.preventDefault(); show(k); }
    return;
  }
  if (e.key === 'Escape') { const u = $('#sugg'); if (u) u.hidden = true; clearErrors(); return; }
  /* Enter moves on, like the HIS; a textarea keeps its line breaks. */
  const tg = e.target;
  if (e.key === 'Enter' && tg.closest && tg.closest('#form') && tg.tagName !== 'TEXTAREA' && tg.tagName !== 'BUTTON') {
    e.preventDefault();
    focusNext(tg);
  }
});
document.addEventListener('mousedown', () => { lastAct = Date.now(); });

function idleCheck() {
  if (!st || !st.signed_in || $('#work').hidden) return;
  if (Date.now() - lastAct > st.idle_lock_seconds * 1000) signout(true);
}

/* ---- start ------------------------------------------------------------------------ */

document.addEventListener('DOMContentLoaded', async () => {
  $('#lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('bulu.lang', lang);
    applyLang();
    renderStatus();
  });
  $('#signout').addEventListener('click', () => signout(false));
  $('#lock').addEventListener('click', () => signout(true));
  $('#signin-form').addEventListener('submit', signin);
  $('#form').addEventListener('submit', save);
  applyLang();
  await refresh();
  if (st && st.signed_in) startWork(); else showSignin(false);
  setInterval(refresh, 20000);
  setInterval(idleCheck, 5000);
});
