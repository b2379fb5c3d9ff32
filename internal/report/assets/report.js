(() => {
  'use strict';
  const root = document.documentElement;
  const fail = (m) => { root.dataset.error = String(m); };
  window.addEventListener('error', (e) => fail(e.message || 'error'));
  window.addEventListener('unhandledrejection', (e) => fail(e.reason));

  const data = JSON.parse(document.getElementById('xshard-data').textContent);
  const W = data.w, R = data.r, N = R.length;
  const STATUS = ['passed', 'failed', 'error', 'skipped'];
  // History classes by index (rows' r[6]), as the class filter names them.
  const CLS = ['', 'new', 'still', 'flaky', 'fixed', 'quarantined'];
  const MARK = { P: 'passed', F: 'failed', E: 'error', S: 'skipped', K: 'flaky', '-': 'not run' };
  const ROW = 32, OVERSCAN = 12;
  const $ = (id) => document.getElementById(id);
  const view = $('t-view'), spacer = $('t-spacer'), rows = $('t-rows'), info = $('t-count'), search = $('t-search');
  const buttons = Array.from(document.querySelectorAll('.filters:not(.cfilters) button'));
  const clsButtons = Array.from(document.querySelectorAll('.cfilters button'));
  const hist = !!document.querySelector('.table.hist');
  const heads = Array.from(document.querySelectorAll('.thead button'));
  const state = { status: 'all', cls: 'all', q: '', sort: 'id', dir: 1 };
  let lower = null;
  let shown = new Int32Array(0);
  const fmt = new Intl.NumberFormat('en-US');

  // A test's time: milliseconds under a second (as testDuration in
  // html.go), else as duration in report.go.
  function duration(s) {
    const ms = Math.round(s * 1000);
    if (ms < 1000) return ms === 0 && s > 0 ? '<1 ms' : ms + ' ms';
    if (s < 10) return s.toFixed(2) + 's';
    if (s < 60) return s.toFixed(1) + 's';
    const r = Math.round(s);
    if (r < 3600) return Math.floor(r / 60) + 'm ' + String(r % 60).padStart(2, '0') + 's';
    return Math.floor(r / 3600) + 'h ' + String(Math.floor((r % 3600) / 60)).padStart(2, '0') + 'm';
  }

  function apply() {
    const terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length && !lower) lower = R.map((r) => (r[0] + ' ' + W[r[1]]).toLowerCase());
    const counts = { all: 0, passed: 0, failed: 0, error: 0, skipped: 0, flaky: 0 };
    const ccounts = { all: 0, new: 0, still: 0, flaky: 0, fixed: 0, quarantined: 0 };
    const out = new Int32Array(N);
    let n = 0;
    for (let i = 0; i < N; i++) {
      if (terms.length) {
        const s = lower[i];
        let ok = true;
        for (const t of terms) if (!s.includes(t)) { ok = false; break; }
        if (!ok) continue;
      }
      const r = R[i], st = STATUS[r[2]] || 'skipped', cl = CLS[r[6]] || '';
      const stOK = state.status === 'all' || state.status === st || (state.status === 'flaky' && r[3]);
      const clOK = state.cls === 'all' || state.cls === cl;
      // Each group counts what the other group's filter lets through.
      if (clOK) { counts.all++; counts[st]++; if (r[3]) counts.flaky++; }
      if (stOK) { ccounts.all++; if (cl) ccounts[cl]++; }
      if (stOK && clOK) out[n++] = i;
    }
    shown = out.slice(0, n);
    if (state.sort !== 'id' || state.dir !== 1) {
      const d = state.dir;
      const key = state.sort === 'worker' ? (i) => W[R[i][1]] : null;
      const arr = Array.from(shown);
      arr.sort((a, b) => {
        let c = 0;
        if (state.sort === 'time') c = R[a][4] - R[b][4];
        else if (key) c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
        return c * d || a - b;
      });
      shown = Int32Array.from(arr);
    }
    for (const b of buttons) {
      b.setAttribute('aria-pressed', String(b.dataset.status === state.status));
      b.querySelector('.n').textContent = fmt.format(counts[b.dataset.status]);
    }
    for (const b of clsButtons) {
      b.setAttribute('aria-pressed', String(b.dataset.cls === state.cls));
      b.querySelector('.n').textContent = fmt.format(ccounts[b.dataset.cls]);
    }
    for (const h of heads) {
      if (h.dataset.sort === state.sort) h.dataset.dir = String(state.dir); else delete h.dataset.dir;
    }
    info.textContent = n === N ? 'Showing all ' + fmt.format(N) + ' tests' : 'Showing ' + fmt.format(n) + ' of ' + fmt.format(N) + ' tests';
    spacer.style.height = Math.max(n * ROW, ROW * 2) + 'px';
    view.scrollTop = 0;
    root.dataset.visible = String(n);
    root.dataset.status = state.status;
    root.dataset.cls = state.cls;
    root.dataset.query = state.q;
    draw();
    remember();
  }

  const pool = [];
  let empty = null;
  function rowEl() {
    const el = document.createElement('div');
    el.className = 'tr';
    el.setAttribute('role', 'row');
    const pill = document.createElement('span');
    const st = document.createElement('span');
    st.appendChild(pill);
    const id = document.createElement('span'); id.className = 'id';
    const w = document.createElement('span'); w.className = 'w';
    const t = document.createElement('span'); t.className = 't';
    const s = document.createElement('span'); s.className = 'strip';
    for (const c of hist ? [st, id, s, w, t] : [st, id, w, t]) { c.setAttribute('role', 'cell'); el.appendChild(c); }
    el._cells = { pill, id, w, t, s, marks: null };
    rows.appendChild(el);
    return el;
  }

  function draw() {
    const n = shown.length;
    const top = view.scrollTop, h = view.clientHeight || 640;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + h) / ROW) + OVERSCAN);
    rows.style.transform = 'translateY(' + first * ROW + 'px)';
    let k = 0;
    for (let j = first; j < last; j++, k++) {
      const el = pool[k] || (pool[k] = rowEl());
      const r = R[shown[j]], c = el._cells;
      const st = r[3] && r[2] === 0 ? 'flaky' : (STATUS[r[2]] || 'skipped');
      el.hidden = false;
      c.pill.className = 'pill ' + st;
      c.pill.textContent = st;
      c.id.textContent = r[0];
      c.id.title = r[0];
      c.w.textContent = W[r[1]];
      c.t.textContent = duration(r[4]);
      if (hist && c.marks !== r[5]) {
        c.marks = r[5];
        c.s.textContent = '';
        for (const m of r[5] || '') {
          const sq = document.createElement('i');
          sq.className = 'm ' + (m === '-' ? 'N' : m);
          sq.title = MARK[m] || m;
          c.s.appendChild(sq);
        }
      }
    }
    for (; k < pool.length; k++) pool[k].hidden = true;
    if (!empty) {
      empty = document.createElement('div');
      empty.className = 'empty';
      empty.textContent = 'No tests match.';
      rows.appendChild(empty);
    }
    empty.hidden = n !== 0;
  }

  function remember() {
    const p = new URLSearchParams();
    if (state.status !== 'all') p.set('status', state.status);
    if (state.cls !== 'all') p.set('class', state.cls);
    if (state.q) p.set('q', state.q);
    const h = p.toString();
    try {
      if (h) history.replaceState(null, '', '#tests?' + h);
      else if (location.hash.startsWith('#tests?')) history.replaceState(null, '', '#tests');
    } catch (e) { /* file:// in some browsers */ }
  }

  function restore() {
    const h = location.hash;
    if (!h.startsWith('#tests?')) return;
    const p = new URLSearchParams(h.slice(7));
    const s = p.get('status');
    if (s && buttons.some((b) => b.dataset.status === s)) state.status = s;
    const k = p.get('class');
    if (k && clsButtons.some((b) => b.dataset.cls === k)) state.cls = k;
    state.q = p.get('q') || '';
    search.value = state.q;
  }

  let frame = 0;
  view.addEventListener('scroll', () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); });
  }, { passive: true });
  window.addEventListener('resize', () => draw());
  for (const b of buttons) b.addEventListener('click', () => { state.status = b.dataset.status; apply(); });
  for (const b of clsButtons) b.addEventListener('click', () => { state.cls = b.dataset.cls; apply(); });
  for (const h of heads) {
    h.addEventListener('click', () => {
      const s = h.dataset.sort;
      if (state.sort === s) state.dir = -state.dir; else { state.sort = s; state.dir = s === 'time' ? -1 : 1; }
      apply();
    });
  }
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); apply(); }, N > 20000 ? 150 : 60);
  });
  restore();
  apply();
  root.dataset.ready = '1';
})();
