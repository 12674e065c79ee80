// Providers and deployments: circuit state, success rate, latency and TTFT percentiles, in-flight requests,
// last error and why a deployment is disabled, refreshed every few seconds.
import { api } from '../api.js';
import { h, fmt, figure, table, badge, errorBox } from '../ui.js';

export const REFRESH_MS = 5000;

const CIRCUIT_TONE = { closed: 'ok', half_open: 'warn', open: 'bad' };
const STATUS_TONE = { ok: 'ok', degraded: 'warn', down: 'bad' };

function lastError(error) {
  if (!error) return h('span', { class: 'muted' }, 'none');
  return h('span', {}, error.message, h('br'), h('span', { class: 'muted' }, fmt.time(error.at)));
}

function providerTable(providers) {
  return table({
    caption: 'Providers (last 5 minutes)', id: 'provider-health', rows: providers, empty: 'No providers are configured.',
    columns: [
      { label: 'Provider', value: (p) => p.provider },
      { label: 'Status', value: (p) => badge(p.status, STATUS_TONE[p.status] || 'warn') },
      { label: 'Healthy deployments', numeric: true, value: (p) => `${p.healthy} of ${p.deployments}` },
      { label: 'Requests', numeric: true, value: (p) => figure(`requests:${p.provider}`, p.requests_5m, fmt.int) },
      { label: 'Success rate', numeric: true, value: (p) => figure(`success:${p.provider}`, p.success_rate, fmt.pct) },
      { label: 'Latency p50 / p95', numeric: true, value: (p) => `${fmt.ms(p.latency_p50_ms)} / ${fmt.ms(p.latency_p95_ms)}` },
      { label: 'TTFT p50 / p95', numeric: true, value: (p) => `${fmt.ms(p.ttft_p50_ms)} / ${fmt.ms(p.ttft_p95_ms)}` },
      { label: 'In flight', numeric: true, value: (p) => fmt.int(p.in_flight) },
    ],
  });
}

function deploymentTable(deployments) {
  return table({
    caption: 'Deployments (last 5 minutes)', id: 'deployment-health', rows: deployments, empty: 'No deployments.',
    columns: [
      { label: 'Model', value: (d) => d.model },
      { label: 'Provider / upstream model', value: (d) => `${d.provider} / ${d.upstream_model}` },
      { label: 'Circuit', value: (d) => badge(d.circuit.replace('_', '-'), CIRCUIT_TONE[d.circuit] || 'warn') },
      { label: 'Requests', numeric: true, value: (d) => figure(`requests:${d.deployment}`, d.requests_5m, fmt.int) },
      { label: 'Success rate', numeric: true, value: (d) => figure(`success:${d.deployment}`, d.success_rate, fmt.pct) },
      { label: 'Latency p50 / p95', numeric: true, value: (d) => `${fmt.ms(d.latency_p50_ms)} / ${fmt.ms(d.latency_p95_ms)}` },
      { label: 'TTFT p50 / p95', numeric: true, value: (d) => `${fmt.ms(d.ttft_p50_ms)} / ${fmt.ms(d.ttft_p95_ms)}` },
      { label: 'In flight', numeric: true, value: (d) => fmt.int(d.in_flight) },
      { label: 'Last error', value: (d) => lastError(d.last_error) },
      { label: 'Disabled because', value: (d) => d.disabled_reason || h('span', { class: 'muted' }, '—') },
    ],
  });
}

export async function render(main) {
  const content = h('div', { id: 'health' });
  const updated = h('p', { class: 'muted' });
  let paused = false;
  const pause = h('button', { type: 'button', class: 'quiet', 'aria-pressed': 'false', onclick: () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
  } }, 'Pause refresh');

  async function refresh() {
    if (paused) return;
    try {
      const report = await api('/health');
      content.replaceChildren(providerTable(report.providers), deploymentTable(report.deployments));
      updated.textContent = `Updated ${fmt.time(new Date().toISOString())}; refreshes every ${REFRESH_MS / 1000} s.`;
    } catch (error) {
      content.replaceChildren(errorBox(error));
    }
  }
  await refresh();
  main.replaceChildren(h('h1', {}, 'Providers and deployments'), h('div', { class: 'toolbar' }, pause), updated, content);
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
