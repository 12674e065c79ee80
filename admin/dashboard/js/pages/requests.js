// The request log with server-side filters and pages, and one request's detail with its attempts drawn as a
// timeline (each attempt from when it started to when it ended, its connect time and first token marked).
import { api, query, download } from '../api.js';
import { h, fmt, figure, table, cursorPager, errorBox, field } from '../ui.js';
import { PALETTE } from '../chart.js';

export const PAGE_SIZE = 50;
const FILTERS = [
  { name: 'model', label: 'Model' }, { name: 'provider', label: 'Provider' }, { name: 'key', label: 'Key id' },
  { name: 'team', label: 'Team id' }, { name: 'status', label: 'Status', type: 'number' }, { name: 'error_type', label: 'Error type' },
  { name: 'from', label: 'From (UTC)', type: 'datetime-local' }, { name: 'to', label: 'To (UTC)', type: 'datetime-local' },
];

/** The API's filter parameters from the form (datetime-local values read as UTC). */
function filtersOf(form) {
  const params = {};
  for (const f of FILTERS) {
    const value = form.elements[f.name].value.trim();
    if (value) params[f.name] = f.type === 'datetime-local' ? new Date(value + 'Z').toISOString() : value;
  }
  params.order = form.elements.order.value;
  return params;
}

function statusText(r) {
  return r.status >= 400 ? `${r.status} ${r.error_type ?? ''}` : String(r.status);
}

export async function render(main, [id]) {
  if (id) return detail(main, id);
  const form = h('form', { class: 'editor', 'aria-label': 'Filter requests' },
    h('div', { class: 'grid' }, FILTERS.map((f) => field({ ...f, type: f.type || 'text' })),
      field({ name: 'order', label: 'Order', type: 'select', options: [['newest', 'Newest first'], ['cost', 'Most expensive first']] })),
    h('button', { type: 'submit' }, 'Apply filters'), ' ',
    h('button', { type: 'button', class: 'quiet', onclick: () => download('/requests' + query({ ...filtersOf(form), format: 'csv', limit: 1000 }), 'requests.csv') },
      'Download CSV'));
  const results = h('div', { id: 'request-list' });
  const pager = cursorPager(async (cursor) => {
    const page = await api('/requests' + query({ ...filtersOf(form), limit: PAGE_SIZE, cursor }));
    results.replaceChildren(table({
      caption: 'Requests', id: 'requests', rows: page.data, empty: 'No request matches these filters.',
      columns: [
        { label: 'Time', value: (r) => h('a', { href: `#/requests/${encodeURIComponent(r.id)}` }, fmt.time(r.created_at)) },
        { label: 'Model', value: (r) => r.model },
        { label: 'Provider', value: (r) => r.provider ?? '—' },
        { label: 'Status', value: (r) => statusText(r) },
        { label: 'Key', value: (r) => r.key_id ?? '—' },
        { label: 'Tokens in / out', numeric: true, value: (r) => `${fmt.int(r.input_tokens)} / ${fmt.int(r.output_tokens)}` },
        { label: 'Cost', numeric: true, value: (r) => figure(`cost:${r.id}`, r.cost_usd, fmt.usd) },
        { label: 'Latency', numeric: true, value: (r) => fmt.ms(r.latency_ms) },
        { label: 'Attempts', numeric: true, value: (r) => r.attempts },
      ],
    }));
    return page;
  }, 'Request pages');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try { await pager.first(); } catch (error) { results.replaceChildren(errorBox(error)); }
  });
  main.replaceChildren(h('h1', {}, 'Requests'), form, results, pager.nav);
  await pager.first();
}

/** The attempts as horizontal bars on one time axis (ms after the request arrived). */
export function timeline(entry) {
  const attempts = entry.attempts_detail;
  const end = Math.max(entry.timings.total_ms ?? 0, ...attempts.map((a) => (a.started_ms ?? 0) + a.latency_ms), 1);
  const width = 900;
  const left = 220;
  const row = 30;
  const x = (ms) => left + (ms / end) * (width - left - 10);
  const height = row * attempts.length + 30;
  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Timeline of ${attempts.length} attempt(s) over ${end} ms` });
  attempts.forEach((a, i) => {
    const y = 8 + i * row;
    const start = a.started_ms ?? 0;
    const colour = a.outcome === 'ok' ? PALETTE[2] : a.outcome === 'hedge_lost' ? PALETTE[7] : '#a40e26';
    svg.append(h('text', { x: 0, y: y + 15, class: 'axis' }, `#${a.number} ${a.provider}/${a.upstream_model}`.slice(0, 34)),
      h('rect', { x: x(start), y, width: Math.max(2, x(start + a.latency_ms) - x(start)), height: 20, fill: colour },
        h('title', {}, `attempt ${a.number}: ${a.outcome}, status ${a.status}, ${start}–${start + a.latency_ms} ms`)));
    if (a.connect_ms) svg.append(h('rect', { x: x(start), y: y + 14, width: Math.max(1, x(start + a.connect_ms) - x(start)), height: 6, fill: '#1b1f24' }));
    if (a.ttft_ms !== null && a.ttft_ms !== undefined) {
      svg.append(h('line', { x1: x(start + a.ttft_ms), x2: x(start + a.ttft_ms), y1: y - 2, y2: y + 22, stroke: '#1b1f24', 'stroke-width': 2 }));
    }
  });
  const axisY = height - 6;
  for (const ms of [0, end / 2, end]) {
    svg.append(h('text', { x: x(ms), y: axisY, 'text-anchor': ms === 0 ? 'start' : ms === end ? 'end' : 'middle', class: 'axis' }, `${Math.round(ms)} ms`));
  }
  return h('figure', { class: 'chart' }, svg,
    h('figcaption', { class: 'muted' }, 'Bars: each attempt from its start to its end (green answered, red failed, grey lost a hedge); black underline: connecting; tick: first token.'));
}

async function detail(main, id) {
  let entry;
  try {
    entry = await api(`/requests/${encodeURIComponent(id)}`);
  } catch (error) {
    main.replaceChildren(h('h1', {}, 'Request'), errorBox(error), h('a', { href: '#/requests' }, 'Back to requests'));
    return;
  }
  const t = entry.timings;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  main.replaceChildren(
    h('h1', {}, `Request ${entry.id}`),
    h('p', {}, h('a', { href: '#/requests' }, 'Back to requests')),
    h('dl', { class: 'details', id: 'request-detail' },
      row('Time', fmt.time(entry.created_at)), row('Endpoint', entry.endpoint), row('Model', entry.model),
      row('Provider', entry.provider ?? '—'), row('Upstream model', entry.upstream_model ?? '—'), row('Status', statusText(entry)),
      row('Error', entry.error_message ?? '—'), row('Key / team', `${entry.key_id ?? '—'} / ${entry.team ?? '—'}`),
      row('Tokens in / out / cached', `${fmt.int(entry.input_tokens)} / ${fmt.int(entry.output_tokens)} / ${fmt.int(entry.cached_tokens)}`),
      row('Cost', figure('cost', entry.cost_usd, fmt.usd)), row('Cache hit', entry.cache_hit ? 'yes' : 'no'),
      row('Stream', entry.stream ? 'yes' : 'no'),
      row('Timings', `queue ${fmt.ms(t.queue_ms)}, connect ${fmt.ms(t.connect_ms)}, first token ${fmt.ms(t.ttft_ms)}, total ${fmt.ms(t.total_ms)}`),
      row('Trace id', entry.trace_id ?? '—')),
    h('h2', {}, `Attempts (${entry.attempts_detail.length})`),
    entry.attempts_detail.length ? timeline(entry) : h('p', { class: 'muted' }, 'No attempt reached a provider.'),
    table({
      caption: 'Attempts', id: 'attempts', rows: entry.attempts_detail,
      columns: [
        { label: '#', value: (a) => a.number }, { label: 'Provider', value: (a) => a.provider }, { label: 'Upstream model', value: (a) => a.upstream_model },
        { label: 'Status', value: (a) => a.status || '—' }, { label: 'Outcome', value: (a) => a.outcome },
        { label: 'Started', numeric: true, value: (a) => fmt.ms(a.started_ms) }, { label: 'Latency', numeric: true, value: (a) => fmt.ms(a.latency_ms) },
        { label: 'Connect', numeric: true, value: (a) => fmt.ms(a.connect_ms) }, { label: 'TTFT', numeric: true, value: (a) => fmt.ms(a.ttft_ms) },
        { label: 'Error', value: (a) => a.error_message ?? '—' },
      ],
    }),
    h('section', {}, entry.request_body ? [h('h2', {}, 'Request body'), h('pre', {}, bodyText(entry.request_body))] : null,
      entry.response_body ? [h('h2', {}, 'Response body'), h('pre', {}, bodyText(entry.response_body))] : null));
}

function bodyText(body) {
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}
