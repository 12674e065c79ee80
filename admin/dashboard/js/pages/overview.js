// Overview: requests, errors, spend and p95 latency over the last hour, day or 30 days, and spend over time
// stacked by model or provider.
import { api, all, query } from '../api.js';
import { h, fmt, figure } from '../ui.js';
import { stackedBars } from '../chart.js';

/** The ranges offered: their length and the bucket that draws them. */
export const RANGES = {
  hour: { label: 'Last hour', millis: 3_600_000, bucket: 'minute', step: 60_000 },
  day: { label: 'Last 24 hours', millis: 86_400_000, bucket: 'hour', step: 3_600_000 },
  month: { label: 'Last 30 days', millis: 30 * 86_400_000, bucket: 'day', step: 86_400_000 },
};

/** Every bucket start from `from` (floored to the step) up to `to`, as ISO text. */
export function bucketStarts(from, to, step) {
  const starts = [];
  for (let t = Math.floor(Date.parse(from) / step) * step; t < Date.parse(to); t += step) starts.push(new Date(t).toISOString());
  return starts;
}

/** Series by `dimension` from usage rows (`bucket_start`, the dimension, `cost_usd`), largest total first. */
export function seriesByBucket(rows, buckets, dimension, measure) {
  const index = new Map(buckets.map((b, i) => [Date.parse(b), i]));
  const byName = new Map();
  for (const row of rows) {
    const name = row[dimension] ?? '(none)';
    if (!byName.has(name)) byName.set(name, new Array(buckets.length).fill(0));
    const i = index.get(Date.parse(row.bucket_start));
    if (i !== undefined) byName.get(name)[i] += row[measure];
  }
  return [...byName].map(([name, values]) => ({ name, values, total: values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
}

export async function render(main, [rangeName = 'day', dimension = 'model']) {
  const range = RANGES[rangeName] || RANGES.day;
  const to = new Date();
  const from = new Date(to.getTime() - range.millis);
  const params = { from: from.toISOString(), to: to.toISOString(), bucket: range.bucket };
  // Totals over the same whole buckets the charts draw (the answer says which range that covers).
  const summaryQuery = query(params);
  const [summary, rows] = await Promise.all([
    api('/usage' + summaryQuery),
    all('/usage', { ...params, group_by: dimension }),
  ]);
  const totals = summary.totals;
  const buckets = bucketStarts(summary.from, summary.to, range.step);
  const labelFor = (iso) => range.bucket === 'day' ? iso.slice(5, 10) : iso.slice(11, 16);
  const errorRate = totals.requests ? totals.errors / totals.requests : null;

  const rangeButtons = Object.entries(RANGES).map(([name, r]) => h('a', {
    href: `#/overview/${name}/${dimension}`, class: 'button quiet', 'aria-current': name === rangeName ? 'true' : null,
  }, r.label));
  const dimensionButtons = ['model', 'provider'].map((d) => h('a', {
    href: `#/overview/${rangeName}/${d}`, class: 'button quiet', 'aria-current': d === dimension ? 'true' : null,
  }, `By ${d}`));

  main.replaceChildren(
    h('h1', {}, 'Overview'),
    h('nav', { class: 'toolbar', 'aria-label': 'Time range' }, rangeButtons),
    h('p', { class: 'muted' }, `${fmt.time(summary.from)} to ${fmt.time(summary.to)}`),
    h('dl', { class: 'cards', id: 'totals', 'data-query': summaryQuery },
      h('div', { class: 'card' }, h('dt', {}, 'Requests'), h('dd', {}, figure('requests', totals.requests, fmt.int))),
      h('div', { class: 'card' }, h('dt', {}, 'Errors'), h('dd', {}, figure('errors', totals.errors, fmt.int),
        h('span', { class: 'muted' }, errorRate === null ? '' : ` (${fmt.pct(errorRate)})`))),
      h('div', { class: 'card' }, h('dt', {}, 'Spend'), h('dd', {}, figure('spend', totals.cost_usd, fmt.usd))),
      h('div', { class: 'card' }, h('dt', {}, 'p95 latency'), h('dd', {}, figure('p95', totals.p95_ms, fmt.ms)))),
    h('h2', {}, `Spend over time by ${dimension}`),
    h('nav', { class: 'toolbar', 'aria-label': 'Stack by' }, dimensionButtons),
    stackedBars({ title: `Spend per ${range.bucket} by ${dimension}`, buckets, series: seriesByBucket(rows, buckets, dimension, 'cost_usd'),
      format: fmt.usd, bucketLabel: labelFor }),
    h('h2', {}, `Requests over time by ${dimension}`),
    stackedBars({ title: `Requests per ${range.bucket} by ${dimension}`, buckets, series: seriesByBucket(rows, buckets, dimension, 'requests'),
      format: fmt.int, bucketLabel: labelFor }),
  );
}
