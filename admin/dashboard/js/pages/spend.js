// Spend by team, key and model over a chosen range, budget bars with the forecast to each period's end, and
// CSV downloads of every table (the API's own `format=csv`).
import { api, query, download } from '../api.js';
import { h, fmt, figure, table, errorBox } from '../ui.js';
import { budgetBar } from '../chart.js';

/** How many rows each table shows (the CSV has them all). */
export const SHOWN_ROWS = 50;

/** The range presets, as [from, to] dates. */
export function presetRange(name, now = new Date()) {
  const startOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (name) {
    case 'today': return [new Date(startOfDay), now];
    case '7d': return [new Date(now.getTime() - 7 * 86_400_000), now];
    case '30d': return [new Date(now.getTime() - 30 * 86_400_000), now];
    default: return [new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), now];
  }
}

const PRESETS = [['month', 'This month'], ['today', 'Today'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']];

function spendTable(dimension, caption, usage, params) {
  const rows = [...usage.data].sort((a, b) => b.cost_usd - a.cost_usd);
  const nameOf = (row) => row[`${dimension}_name`] ? `${row[`${dimension}_name`]}` : (row[dimension] ?? '(none)');
  const columns = [
    { label: dimension[0].toUpperCase() + dimension.slice(1), value: (r) => h('span', { title: r[dimension] ?? '' }, nameOf(r)) },
    { label: 'Requests', numeric: true, value: (r) => fmt.int(r.requests) },
    { label: 'Errors', numeric: true, value: (r) => fmt.int(r.errors) },
    { label: 'Input tokens', numeric: true, value: (r) => fmt.int(r.input_tokens) },
    { label: 'Output tokens', numeric: true, value: (r) => fmt.int(r.output_tokens) },
    { label: 'Cost', numeric: true, value: (r) => figure(`cost:${dimension}:${r[dimension] ?? ''}`, r.cost_usd, fmt.usd) },
  ];
  const more = usage.data.length > SHOWN_ROWS || usage.next_cursor;
  return h('section', { 'aria-labelledby': `spend-${dimension}` },
    h('h2', { id: `spend-${dimension}` }, caption),
    h('button', { type: 'button', class: 'quiet', onclick: () => download('/usage' + query({ ...params, group_by: dimension, format: 'csv', limit: 1000 }),
      `spend-by-${dimension}.csv`) }, `Download CSV (by ${dimension})`),
    table({ caption: `${caption}, highest first`, columns, rows: rows.slice(0, SHOWN_ROWS), id: `spend-by-${dimension}`, empty: 'No spend in this range.' }),
    more ? h('p', { class: 'muted' }, `Showing the ${SHOWN_ROWS} highest; the CSV has every row.`) : null);
}

function budgets(forecast) {
  return h('section', { 'aria-labelledby': 'budgets-title' },
    h('h2', { id: 'budgets-title' }, 'Budgets'),
    table({
      caption: 'Budgets in their current period, with the spend projected to its end at the last 24 hours\u2019 rate', id: 'budgets',
      rows: forecast.data, empty: 'No budgets are set.',
      columns: [
        { label: 'Budget', value: (b) => `${b.scope} ${b.name}` },
        { label: 'Period', value: (b) => b.period },
        { label: 'Spent', numeric: true, value: (b) => figure(`budget-spent:${b.id}`, b.spent_usd, fmt.usd) },
        { label: 'Limit', numeric: true, value: (b) => fmt.usd(b.limit_usd) },
        { label: 'Projected', numeric: true, value: (b) => b.projected_usd === null ? '—' : `${fmt.usd(b.projected_usd)} (${b.projected_pct} %)` },
        { label: 'Spent and projected', value: (b) => budgetBar({ spent: b.spent_usd, projected: b.projected_usd, limit: b.limit_usd,
          label: `${fmt.usd(b.spent_usd)} of ${fmt.usd(b.limit_usd)} spent${b.projected_usd === null ? '' : `, ${fmt.usd(b.projected_usd)} projected`}` }) },
        { label: 'Outlook', value: (b) => b.will_exceed ? h('span', { class: 'badge bad' }, 'will exceed') : h('span', { class: 'badge ok' }, 'within') },
      ],
    }),
    h('button', { type: 'button', class: 'quiet', onclick: () => download('/usage/forecast?format=csv', 'budgets.csv') }, 'Download CSV (budgets)'));
}

export async function render(main, [preset = 'month', customFrom, customTo]) {
  const [from, to] = preset === 'custom' && customFrom && customTo
    ? [new Date(customFrom), new Date(customTo)] : presetRange(preset);
  const params = { from: from.toISOString(), to: to.toISOString() };
  const usageFor = (dimension) => api('/usage' + query({ ...params, group_by: dimension, limit: 1000 }));
  const dateInput = (name, label, value) => h('div', { class: 'field' }, h('label', { for: `spend-${name}` }, label),
    h('input', { id: `spend-${name}`, name, type: 'date', value: value.toISOString().slice(0, 10), required: true }));
  const rangeForm = h('form', { class: 'toolbar', 'aria-label': 'Custom range' },
    dateInput('from', 'From (UTC)', from), dateInput('to', 'To (UTC, exclusive)', to), h('button', { type: 'submit' }, 'Show range'));
  rangeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/spend/custom/${rangeForm.elements.from.value}/${rangeForm.elements.to.value}`;
  });
  let sections;
  try {
    const [teams, keys, models, forecast] = await Promise.all([usageFor('team'), usageFor('key'), usageFor('model'), api('/usage/forecast')]);
    sections = [
      h('p', { id: 'spend-range', 'data-from': params.from, 'data-to': params.to }, 'Total in range: ', figure('total-spend', teams.totals.cost_usd, fmt.usd), ` over ${fmt.int(teams.totals.requests)} requests.`),
      budgets(forecast), spendTable('team', 'Spend by team', teams, params), spendTable('key', 'Spend by key', keys, params),
      spendTable('model', 'Spend by model', models, params),
    ];
  } catch (error) {
    sections = [errorBox(error)];
  }
  main.replaceChildren(
    h('h1', {}, 'Spend'),
    h('nav', { class: 'toolbar', 'aria-label': 'Range' }, PRESETS.map(([name, label]) =>
      h('a', { href: `#/spend/${name}`, class: 'button quiet', 'aria-current': name === preset ? 'true' : null }, label))),
    rangeForm,
    h('p', { class: 'muted' }, `${fmt.time(params.from)} to ${fmt.time(params.to)}`),
    ...sections);
}
