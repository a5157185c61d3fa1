// The inspector page: one EventSource for live data (hello, then a frame every interval), uPlot
// for every chart, fetch for why-alive, pins, moments and diffs. Plain browser JavaScript, no
// build step: the server hands this file out as it is.
/* global uPlot */
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const COLORS = { young: '#4ea1ff', old: '#c77dff', free: '#4cd07d', retired: '#ff5c5c', bytes: '#ffd24d' };
  const WORK_COLORS = {
    nothing: '#5b6170',
    minor: '#4ea1ff',
    major: '#ffa94d',
    'minor+major': '#c77dff',
    full: '#ff5c5c',
    tenure: '#5ce1e6',
  };
  const WORK_LABELS = {
    nothing: 'nothing',
    minor: 'minor',
    major: 'major slice',
    'minor+major': 'minor + major slice',
    full: 'full',
    tenure: 'tenure slice',
  };
  const PALETTE = ['#4ea1ff', '#ffa94d', '#4cd07d', '#c77dff', '#ff5c5c', '#ffd24d', '#5ce1e6', '#ff8ad8'];
  const AXIS = {
    stroke: '#8a909e',
    grid: { stroke: '#262a35', width: 1 },
    ticks: { stroke: '#262a35', width: 1 },
  };
  const HEIGHT = { occupancy: 220, pauses: 200, ages: 190, dirty: 190, members: 150 };

  // ---- formatting ------------------------------------------------------------------------------

  const isNumber = (n) => typeof n === 'number' && Number.isFinite(n);
  const fmt = (n) => (isNumber(n) ? Math.round(n).toLocaleString('en-US') : '—');
  const short = (n) => {
    if (!isNumber(n)) return '';
    const a = Math.abs(n);
    if (a >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
    if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
    if (a >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
    return `${+n.toFixed(2)}`;
  };
  const mib = (b) => (isNumber(b) ? `${(b / 1048576).toFixed(1)} MiB` : '—');
  const ms = (n) => (isNumber(n) ? `${n.toFixed(n < 1 ? 3 : 2)} ms` : '—');
  const text = (s) => (s === undefined || s === null ? '—' : String(s));

  /** An element with attributes and children (strings become text: nothing from the server is parsed as HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'onclick') el.addEventListener('click', v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  // ---- state -----------------------------------------------------------------------------------

  const view = {
    hello: null,
    /** Record numbers, and each record column by name. */
    seq: [],
    cols: {},
    sample: null,
    /** Component member counts per sample, for the members chart. */
    members: { seq: [], names: [], counts: [] },
    paused: false,
    window: 1200,
    /** The pause strip's y scale: 'p99' (spikes cut) or 'max'. */
    pauseScale: 'p99',
    pauseTop: 1,
    lastFrameAt: 0,
    frames: 0,
    charts: {},
  };
  // For tests and the curious: `inspector.charts.pauses.data`, `inspector.sample`, ...
  globalThis.inspector = view;

  function reset(hello) {
    view.hello = hello;
    view.seq = [];
    view.cols = {};
    for (const c of hello.columns) view.cols[c] = [];
    view.members = { seq: [], names: [], counts: [] };
    view.sample = null;
    $('runtime').textContent = hello.runtime;
    showNotice();
    renderMarks(hello.marks);
  }

  function addRecords(records) {
    const { seq, columns } = records;
    const n = columns.ms.length;
    for (let i = 0; i < n; i++) view.seq.push(seq + i);
    for (const name of view.hello.columns) {
      const to = view.cols[name];
      for (const value of columns[name]) to.push(value);
    }
    // Keep what the server keeps: the charts show a window of it.
    const extra = view.seq.length - view.hello.history;
    if (extra > 0) {
      view.seq.splice(0, extra);
      for (const name of view.hello.columns) view.cols[name].splice(0, extra);
    }
  }

  function addSample(sample) {
    view.sample = sample;
    const names = sample.components.map((c) => c.name).slice(0, PALETTE.length);
    const m = view.members;
    if (names.join('\u0000') !== m.names.join('\u0000')) {
      view.members = { seq: [], names, counts: names.map(() => []) };
    }
    view.members.seq.push(sample.seq);
    names.forEach((_, k) => view.members.counts[k].push(sample.components[k].members));
    if (view.members.seq.length > 600) {
      view.members.seq.shift();
      for (const c of view.members.counts) c.shift();
    }
  }

  // ---- the stream ------------------------------------------------------------------------------

  function connect() {
    const source = new EventSource('/api/stream');
    setStatus('connecting', 'connecting…');
    source.addEventListener('open', () => setStatus('live', 'live'));
    source.addEventListener('error', () => {
      // EventSource reconnects by itself (the server asks for 1 s); a new heap says hello again.
      setStatus('disconnected', source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
    });
    source.addEventListener('hello', (event) => reset(JSON.parse(event.data)));
    source.addEventListener('frame', (event) => {
      if (view.hello === null) return;
      const { sample, records } = JSON.parse(event.data);
      addRecords(records);
      addSample(sample);
      view.lastFrameAt = performance.now();
      view.frames++;
      if (!view.paused) scheduleRender();
      showNotice();
    });
  }

  function setStatus(state, label) {
    const el = $('status');
    if (view.paused && state === 'live') {
      state = 'paused';
      label = 'view paused';
    }
    el.dataset.state = state;
    el.textContent = label;
  }

  function showNotice() {
    const notes = [];
    if (view.sample && view.sample.notice) notes.push(view.sample.notice);
    const el = $('notice');
    el.hidden = notes.length === 0;
    el.textContent = notes.join(' ');
  }

  // Freshness: a page left open all day should say when its numbers stopped moving.
  setInterval(() => {
    if (view.lastFrameAt === 0) return;
    const seconds = (performance.now() - view.lastFrameAt) / 1000;
    $('age').textContent = seconds < 1 ? 'just now' : `${seconds.toFixed(0)} s ago`;
    const limit = Math.max(3, (3 * (view.hello ? view.hello.intervalMs : 1000)) / 1000);
    const status = $('status');
    if (seconds > limit && status.dataset.state === 'live') setStatus('stale', 'no data');
    else if (seconds <= limit && status.dataset.state === 'stale') setStatus('live', 'live');
  }, 500);

  // ---- rendering -------------------------------------------------------------------------------

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  function render() {
    if (view.sample === null) return;
    renderCards(view.sample);
    $('frame').textContent = fmt(view.sample.seq);
    $('frame').dataset.value = String(view.sample.seq);
    $('pin-count').textContent = fmt(view.sample.stats.pins);
    renderOccupancy();
    renderPauses();
    renderAges(view.sample);
    renderDirty(view.sample);
    renderComponents(view.sample);
    renderPages(view.sample);
    renderQueries(view.sample);
  }

  const CARDS = [
    ['live', 'live objects', fmt],
    ['young', 'young', fmt],
    ['old', 'old', fmt],
    ['free', 'free indices', fmt, true],
    ['retired', 'retired', fmt],
    ['capacity', 'capacity', fmt],
    ['bytes', 'typed arrays', mib],
    ['slotsUsed', 'slots used', fmt],
    ['slotRoom', 'slot room', fmt],
    ['pins', 'pins', fmt],
    ['dirtyCards', 'dirty cards', fmt],
    ['minorCollections', 'minors', fmt],
    ['majorCollections', 'majors', fmt],
    ['phase', 'phase', text],
    ['planned', 'tick would do', text],
    ['nextMajorAt', 'major at old', fmt],
    ['lastPauseMs', 'last pause', ms],
    ['maxPauseMs', 'max pause', ms],
  ];

  function renderCards(sample) {
    const box = $('cards');
    if (box.childElementCount === 0) {
      for (const [key, label, format, fromSample] of CARDS) {
        box.append(
          h(
            'div',
            { class: 'card' },
            h('div', { class: 'label' }, label),
            h('div', {
              class: format === text ? 'value text' : 'value',
              [fromSample ? 'data-sample' : 'data-stat']: key,
            }, '—'),
          ),
        );
      }
    }
    for (const [key, , format, fromSample] of CARDS) {
      const value = fromSample ? sample[key] : sample.stats[key];
      const el = box.querySelector(`[${fromSample ? 'data-sample' : 'data-stat'}="${key}"]`);
      el.textContent = format(value);
      el.dataset.value = String(value);
    }
  }

  /** The last `view.window` records. */
  function windowed(column) {
    const from = Math.max(0, view.seq.length - view.window);
    return (column === 'seq' ? view.seq : view.cols[column]).slice(from);
  }

  /** A uPlot chart in element `id`, created on first use, resized with its box. */
  function chart(id, makeOptions, data) {
    let c = view.charts[id];
    if (c === undefined) {
      const el = $(id);
      c = new uPlot({ width: el.clientWidth || 400, height: HEIGHT[id], ...makeOptions() }, data, el);
      new ResizeObserver(() => c.setSize({ width: el.clientWidth, height: HEIGHT[id] })).observe(el);
      view.charts[id] = c;
    } else {
      c.setData(data);
    }
    return c;
  }

  const frameAxis = { ...AXIS, values: (_u, v) => v.map(fmt) };
  const countAxis = (scale) => ({ ...AXIS, scale, size: 52, values: (_u, v) => v.map(short) });
  const frameSeries = { label: 'frame', value: (_u, v) => fmt(v) };
  const line = (label, stroke, scale, value = (_u, v) => fmt(v)) => ({ label, stroke, scale, width: 1.5, value });

  function renderOccupancy() {
    const data = [windowed('seq'), ...['young', 'old', 'free', 'retired', 'bytes'].map(windowed)];
    chart('occupancy', () => ({
      scales: { x: { time: false }, n: { range: (_u, _min, max) => [0, Math.max(max, 1)] }, b: {} },
      axes: [
        frameAxis,
        countAxis('n'),
        { ...AXIS, scale: 'b', side: 1, size: 64, grid: { show: false }, values: (_u, v) => v.map(mib) },
      ],
      series: [
        frameSeries,
        line('young', COLORS.young, 'n'),
        line('old', COLORS.old, 'n'),
        line('free indices', COLORS.free, 'n'),
        line('retired', COLORS.retired, 'n'),
        { ...line('bytes', COLORS.bytes, 'b', (_u, v) => mib(v)), dash: [4, 3] },
      ],
    }), data);
  }

  /** Nearest-rank percentile of numbers. */
  function percentile(sorted, p) {
    return sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  }

  /** Calls that took this much more than their budget count as over it (a tick stops at its deadline, a little past). */
  const OVER_BUDGET = 1.1;

  function renderPauses() {
    const works = view.hello.works;
    const seq = windowed('seq');
    const msColumn = windowed('ms');
    const work = windowed('work');
    const budget = windowed('budgetMs').map((b) => (isNumber(b) ? b : null));
    const byKind = works.map((_, k) => msColumn.map((v, i) => (work[i] === k && isNumber(v) ? v : null)));

    // Percentiles over the window's collector calls.
    const times = msColumn.filter(isNumber).sort((a, b) => a - b);
    const p99 = percentile(times, 0.99);
    let over = 0;
    let largestBudget = 0;
    msColumn.forEach((v, i) => {
      if (budget[i] === null) return;
      largestBudget = Math.max(largestBudget, budget[i]);
      if (isNumber(v) && v > budget[i] * OVER_BUDGET) over++;
    });
    // The y scale: up to the p99 (rarer spikes are cut at the top; the max is in the summary), or the max.
    view.pauseTop = Math.max(
      view.pauseScale === 'max' ? times[times.length - 1] || 0 : p99 * 1.3 || 0,
      largestBudget * 1.5,
      0.05,
    );

    const bars = uPlot.paths.bars({ size: [0.9, 24], gap: 0 });
    chart('pauses', () => ({
      scales: { x: { time: false }, ms: { range: () => [0, view.pauseTop] } },
      axes: [frameAxis, { ...AXIS, scale: 'ms', size: 52, values: (_u, v) => v.map((x) => `${+x.toFixed(3)}`) }],
      series: [
        frameSeries,
        ...works.map((w) => ({
          label: WORK_LABELS[w],
          scale: 'ms',
          stroke: WORK_COLORS[w],
          fill: WORK_COLORS[w],
          width: 0,
          paths: bars,
          points: { show: false },
          value: (_u, v) => (v === null ? '' : ms(v)),
        })),
        { label: 'budget', scale: 'ms', stroke: '#d7dae0', width: 1, dash: [5, 4], value: (_u, v) => ms(v) },
      ],
    }), [seq, ...byKind, budget]);

    $('pause-summary').replaceChildren(
      ...[
        ['p50', percentile(times, 0.5)],
        ['p99', p99],
        ['max', times.length ? times[times.length - 1] : NaN],
      ].flatMap(([label, v]) => [`${label} `, h('b', { 'data-pause': label, 'data-value': String(v) }, ms(v)), ' · ']),
      h('span', { 'data-pause': 'over', 'data-value': String(over) }, fmt(over)),
      ` of ${fmt(times.length)} calls over budget (by more than ${Math.round((OVER_BUDGET - 1) * 100)}%)`,
    );
  }

  $('pause-scale').addEventListener('click', () => {
    view.pauseScale = view.pauseScale === 'max' ? 'p99' : 'max';
    $('pause-scale').textContent = view.pauseScale === 'max' ? 'scale: max' : 'scale: p99';
    scheduleRender();
  });

  function renderAges(sample) {
    const labels = [...sample.ages.map((_, k) => `age ${k}`), 'old'];
    const xs = labels.map((_, k) => k);
    const young = [...sample.ages, null];
    const old = [...sample.ages.map(() => null), sample.stats.old];
    // Log scale: the old generation is usually far larger than the nursery; zero bars are left out.
    const positive = (v) => (v === null || v <= 0 ? null : v);
    const bars = uPlot.paths.bars({ size: [0.6, 80] });
    view.ageLabels = labels;
    chart('ages', () => ({
      scales: {
        x: { time: false, range: (u) => [-0.5, u.data[0].length - 0.5] },
        y: { distr: 3, range: (_u, _min, max) => [1, Math.max(10, max * 2)] },
      },
      axes: [
        { ...AXIS, splits: (u) => u.data[0], values: (_u, v) => v.map((x) => view.ageLabels[x] ?? '') },
        { ...AXIS, size: 52, values: (_u, v) => v.map(short) },
      ],
      series: [
        { label: 'age', value: (_u, v) => view.ageLabels[v] ?? '' },
        {
          label: 'young',
          stroke: COLORS.young,
          fill: COLORS.young + 'aa',
          paths: bars,
          points: { show: false },
          value: (_u, v) => fmt(v),
        },
        {
          label: 'old',
          stroke: COLORS.old,
          fill: COLORS.old + 'aa',
          paths: bars,
          points: { show: false },
          value: (_u, v) => fmt(v),
        },
      ],
    }), [xs, young.map(positive), old.map(positive)]);
  }

  function renderDirty(sample) {
    $('cards-summary').textContent = `${fmt(sample.stats.dirtyCards)} dirty of ${fmt(sample.cards)} cards ` +
      `(${fmt(sample.cardSize)} ${sample.cardSize === 1 ? 'index' : 'indices'} each) · ${
        fmt(sample.weakObjects)
      } weak/ephemeron objects · ` +
      `${fmt(sample.finalizable)} with finalizers`;
    chart('dirty', () => ({
      scales: { x: { time: false }, n: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
      axes: [frameAxis, countAxis('n')],
      series: [frameSeries, { ...line('dirty cards', '#ffa94d', 'n'), fill: '#ffa94d22' }],
    }), [windowed('seq'), windowed('dirtyCards')]);
  }

  function renderComponents(sample) {
    const body = $('components').tBodies[0];
    body.replaceChildren(
      ...sample.components.map((c) =>
        h(
          'tr',
          {},
          h('td', {}, c.name),
          h('td', { class: 'n', 'data-members': c.name, 'data-value': String(c.members) }, fmt(c.members)),
          h('td', { class: 'n', 'data-bytes': c.name, 'data-value': String(c.bytes) }, mib(c.bytes)),
          h('td', { class: 'fields' }, c.fields.join(', ') || 'tag'),
        )
      ),
    );
    const m = view.members;
    if (m.names.length === 0) return;
    // A new set of components needs new series: start the chart again.
    const key = m.names.join('\u0000');
    if (view.membersKey !== key && view.charts.members) {
      view.charts.members.destroy();
      delete view.charts.members;
    }
    view.membersKey = key;
    chart('members', () => ({
      scales: { x: { time: false }, n: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
      axes: [frameAxis, countAxis('n')],
      series: [frameSeries, ...m.names.map((name, k) => line(name, PALETTE[k], 'n'))],
    }), [m.seq, ...m.counts]);
  }

  function renderPages(sample) {
    const total = sample.pages.reduce((sum, p) => sum + p.pages, 0);
    $('pages').tBodies[0].replaceChildren(
      ...sample.pages.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, p.slots),
          h('td', { class: 'n', 'data-pages': p.slots, 'data-value': String(p.pages) }, fmt(p.pages)),
          h(
            'td',
            {},
            h('div', { class: 'bar', style: `width: ${(100 * p.pages / Math.max(total, 1)).toFixed(1)}%` }),
          ),
        )
      ),
    );
  }

  function renderQueries(sample) {
    $('no-queries').hidden = sample.queries.length > 0;
    $('queries').tBodies[0].replaceChildren(
      ...sample.queries.map((q) =>
        h(
          'tr',
          {},
          h('td', {}, q.terms),
          h('td', { class: 'n', 'data-query': q.terms, 'data-value': String(q.size) }, fmt(q.size)),
        )
      ),
    );
  }

  // ---- controls --------------------------------------------------------------------------------

  $('pause').addEventListener('click', () => {
    view.paused = !view.paused;
    $('pause').textContent = view.paused ? 'Resume view' : 'Pause view';
    const status = $('status');
    if (view.paused && status.dataset.state === 'live') setStatus('paused', 'view paused');
    if (!view.paused && status.dataset.state === 'paused') setStatus('live', 'live');
    if (!view.paused) scheduleRender();
  });

  $('window').addEventListener('change', (event) => {
    view.window = Number(event.target.value);
    scheduleRender();
  });

  async function api(path, method = 'GET') {
    const response = await fetch(path, { method });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `${response.status}`);
    return body;
  }

  /** A handle as a button that explains it. */
  const handleButton = (ref, label = fmt(ref)) =>
    h(
      'button',
      { class: 'link', type: 'button', title: 'why is this alive?', onclick: () => explain(String(ref)) },
      label,
    );

  // ---- why alive -------------------------------------------------------------------------------

  $('why-form').addEventListener('submit', (event) => {
    event.preventDefault();
    explain($('why-input').value.trim());
  });

  function describeObject(step) {
    return [
      h('span', { class: 'obj' }, `#${fmt(step.index)} `, h('span', { class: 'how' }, `handle ${step.ref}`)),
      step.kind !== 'strong' ? h('span', { class: 'tag' }, step.kind) : null,
      ...step.components.map((c) => h('span', { class: 'tag' }, c)),
    ];
  }

  function describeStep(step, previous) {
    const of = previous ? `#${fmt(previous.index)}` : '';
    switch (step.via) {
      case 'pin':
        return `pinned (ticket ${step.ticket})`;
      case 'scope':
        return 'allocated in a scope() that is still open';
      case 'slot':
        return `slot ${step.slot} of ${of}`;
      case 'field':
        return `field ${step.component}.${step.field}${step.element ? `[${step.element}]` : ''} of ${of}`;
      case 'ephemeron':
        return [`value in slot ${step.slot} of ephemeron ${of}, kept while its key `, handleButton(step.key), ' lives'];
      default:
        return step.via;
    }
  }

  async function explain(input) {
    const out = $('why-result');
    $('why-input').value = input;
    const byIndex = /^#\d+$/.test(input);
    if (!byIndex && !/^\d+$/.test(input)) {
      out.replaceChildren(h('p', { class: 'error' }, 'Type a handle (a number), or #index.'));
      return;
    }
    const query = byIndex ? `index=${input.slice(1)}` : `ref=${input}`;
    try {
      const result = await api(`/api/why-alive?${query}`);
      if (result.path === null) {
        out.replaceChildren(
          h(
            'p',
            { 'data-why': 'garbage' },
            `#${fmt(result.index)} (handle ${result.ref}) is alive but no root reaches it: `,
            'it is garbage, and the next collection that covers it frees it.',
          ),
        );
        return;
      }
      out.replaceChildren(
        h(
          'ol',
          { 'data-why': 'path' },
          result.path.map((step, k) =>
            h(
              'li',
              { 'data-ref': String(step.ref), 'data-via': step.via },
              ...describeObject(step),
              ' ',
              h('span', { class: 'how' }, '← ', describeStep(step, result.path[k - 1])),
            )
          ),
        ),
      );
    } catch (error) {
      out.replaceChildren(h('p', { class: 'error', 'data-why': 'error' }, error.message));
    }
  }

  $('pins').addEventListener('toggle', async () => {
    if (!$('pins').open) return;
    try {
      const { count, pins } = await api('/api/pins?limit=200');
      $('pin-count').textContent = fmt(count);
      $('pin-list').replaceChildren(
        ...pins.map((p) =>
          h(
            'li',
            {},
            handleButton(p.ref, `#${fmt(p.index)}`),
            ` handle ${p.ref}, ticket ${p.ticket} `,
            ...p.components.map((c) => h('span', { class: 'tag' }, c)),
          )
        ),
        count > pins.length ? h('li', { class: 'hint' }, `… and ${fmt(count - pins.length)} more`) : null,
      );
    } catch (error) {
      $('pin-list').replaceChildren(h('li', { class: 'error' }, error.message));
    }
  });

  // ---- moments ---------------------------------------------------------------------------------

  const marks = {};
  function renderMarks(list) {
    for (const m of list || []) marks[m.name] = m;
    const part = (name) =>
      marks[name] ? `${name}: frame ${fmt(marks[name].seq)}, ${fmt(marks[name].live)} live` : `${name}: not marked`;
    if (marks.A || marks.B) $('marks').textContent = `${part('A')} · ${part('B')}`;
  }

  async function mark(name) {
    try {
      renderMarks([await api(`/api/marks?name=${name}`, 'POST')]);
    } catch (error) {
      $('diff').replaceChildren(h('p', { class: 'error' }, error.message));
    }
  }

  async function compare(to) {
    const out = $('diff');
    try {
      const d = await api(`/api/diff?from=A&to=${to}`);
      const until = to === 'now' ? `now (frame ${fmt(d.to.seq)})` : `B (frame ${fmt(d.to.seq)})`;
      const rows = d.byComponent.filter((c) => c.count > 0).map((c) => [c.name, c.count, c.sample]);
      if (d.withoutComponent > 0) rows.push(['(no component)', d.withoutComponent, []]);
      out.replaceChildren(
        h(
          'p',
          { 'data-diff': 'summary', 'data-value': String(d.stillAlive) },
          `From A (frame ${fmt(d.from.seq)}) to ${until}: ${fmt(d.allocated)} objects allocated, `,
          h('b', {}, `${fmt(d.stillAlive)} still alive`),
          ` (${fmt(d.young)} young; ${fmt(d.byKind.strong)} strong, ${fmt(d.byKind.weak)} weak, `,
          `${fmt(d.byKind.ephemeron)} ephemeron); ${fmt(d.freed)} objects live at A are gone.`,
        ),
        rows.length
          ? h(
            'table',
            { class: 'table' },
            h(
              'thead',
              {},
              h('tr', {}, h('th', {}, 'component'), h('th', { class: 'n' }, 'still alive'), h('th', {}, 'for example')),
            ),
            h(
              'tbody',
              {},
              rows.map(([name, count, sample]) =>
                h(
                  'tr',
                  {},
                  h('td', {}, name),
                  h('td', { class: 'n', 'data-diff-component': name, 'data-value': String(count) }, fmt(count)),
                  h('td', {}, sample.flatMap((r) => [handleButton(r), ' '])),
                )
              ),
            ),
          )
          : null,
      );
    } catch (error) {
      out.replaceChildren(h('p', { class: 'error', 'data-diff': 'error' }, error.message));
    }
  }

  $('mark-a').addEventListener('click', () => mark('A'));
  $('mark-b').addEventListener('click', () => mark('B'));
  $('diff-ab').addEventListener('click', () => compare('B'));
  $('diff-now').addEventListener('click', () => compare('now'));

  connect();
})();
