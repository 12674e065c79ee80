// Charts drawn as inline SVG: a stacked bar chart over time and a budget bar. Each has a text alternative.
import { h } from './ui.js';

export const PALETTE = ['#0b5cad', '#d4561a', '#2f8f46', '#8a3ab9', '#b8860b', '#127e8a', '#c2185b', '#5d6b78'];

/**
 * Stacked bars: `buckets` (ISO starts, in order), `series` [{name, values}] (one value per bucket, the most
 * significant first; series beyond the palette are summed as "other"), `format` for values. A table with
 * the same figures follows for screen readers.
 */
export function stackedBars({ title, buckets, series, format, bucketLabel }) {
  const shown = series.length > PALETTE.length
    ? [...series.slice(0, PALETTE.length - 1), {
      name: 'other',
      values: buckets.map((_, i) => series.slice(PALETTE.length - 1).reduce((sum, s) => sum + s.values[i], 0)),
    }]
    : series;
  const width = 900;
  const height = 240;
  const left = 70;
  const bottom = 24;
  const totals = buckets.map((_, i) => shown.reduce((sum, s) => sum + s.values[i], 0));
  const max = Math.max(...totals, 0) || 1;
  const plotHeight = height - bottom - 10;
  const slot = (width - left) / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.8);
  const y = (value) => 10 + plotHeight - (value / max) * plotHeight;

  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}: total ${format(totals.reduce((a, b) => a + b, 0))}` });
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    svg.append(h('line', { x1: left, x2: width, y1: y(value), y2: y(value), stroke: '#d0d7de' }),
      h('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' }, format(value)));
  }
  buckets.forEach((bucket, i) => {
    let base = 0;
    shown.forEach((s, index) => {
      const value = s.values[i];
      if (!value) return;
      const top = y(base + value);
      svg.append(h('rect', { x: left + i * slot + (slot - barWidth) / 2, y: top, width: barWidth, height: Math.max(0.5, y(base) - top), fill: PALETTE[index] },
        h('title', {}, `${bucketLabel(bucket)} · ${s.name}: ${format(value)}`)));
      base += value;
    });
  });
  const labelled = [...new Set([0, Math.floor((buckets.length - 1) / 2), buckets.length - 1])].filter((i) => i >= 0);
  for (const i of labelled) {
    svg.append(h('text', { x: left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'axis' }, bucketLabel(buckets[i])));
  }
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' },
    shown.map((s, index) => h('li', {}, h('span', { class: `swatch c${index}` }), s.name)));
  const alternative = h('table', { class: 'visually-hidden' },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), shown.map((s) => h('th', { scope: 'col' }, s.name)))),
    h('tbody', {}, buckets.map((bucket, i) => totals[i] === 0 ? null
      : h('tr', {}, h('th', { scope: 'row' }, bucketLabel(bucket)), shown.map((s) => h('td', {}, format(s.values[i])))))));
  return h('figure', { class: 'chart' }, h('figcaption', { class: 'visually-hidden' }, title), svg, legend, alternative);
}

/** A budget bar: spent (solid) and projected to the period end (light) against the limit (the frame). */
export function budgetBar({ spent, projected, limit, label }) {
  const width = 300;
  const scale = Math.max(limit, projected ?? 0, spent) || 1;
  const x = (value) => Math.min(width, (value / scale) * width);
  const over = (projected ?? spent) > limit;
  return h('svg', { viewBox: `0 0 ${width} 18`, width, height: 18, role: 'img', 'aria-label': label },
    projected !== null && projected !== undefined
      ? h('rect', { x: 0, y: 2, width: x(projected), height: 14, fill: over ? '#f4b4bd' : '#b6d4f2' }) : null,
    h('rect', { x: 0, y: 2, width: x(spent), height: 14, fill: over ? '#a40e26' : '#0b5cad' }),
    h('rect', { x: 0.5, y: 1.5, width: x(limit) - 1, height: 15, fill: 'none', stroke: '#1b1f24' }));
}
