// The config resources as lists with create/edit forms: providers, models, routes (read-only), teams, keys.
import { api, all, query } from '../api.js';
import { h, fmt, table, cursorPager, badge, errorBox, announce } from '../ui.js';
import { editor, saver, enableToggle, budgetOf, BUDGET_FIELDS } from './config-editor.js';

export const PAGE_SIZE = 50;
export const PROVIDER_KINDS = ['openai', 'azure_openai', 'anthropic', 'gemini', 'cohere', 'ollama', 'bedrock', 'mistral', 'deepseek', 'groq',
  'openrouter', 'together', 'vllm', 'lmstudio', 'localai', 'openai_compatible'];
export const ROUTE_STRATEGIES = ['priority', 'round_robin', 'weighted', 'least_latency', 'lowest_cost', 'least_busy'];

const enabledBadge = (r) => r.enabled ? badge('enabled', 'ok') : badge('disabled', 'bad');
const budgetText = (b) => b ? `${fmt.usd(b.limit_usd)} ${b.period}` : '—';

/**
 * A paginated list with an "Add" button and per-row Edit / Disable; `columns` as ui.table, `form(record)` the
 * editor (record null to create), `path` the collection, `params()` extra list filters; `toggle` false for
 * resources without an enabled flag; `extraAction(record, reload)` one more control per row.
 */
function resourceList(body, { noun, path, columns, form, params = () => ({}), toolbar = null, toggle = true, extraAction = null }) {
  const formSlot = h('div');
  const list = h('div');
  let reload = () => {};
  const openForm = (record) => {
    formSlot.replaceChildren(form(record, (saved) => {
      formSlot.replaceChildren();
      if (saved) reload();
    }));
    formSlot.querySelector('input, select')?.focus();
  };
  const actions = [{ label: 'Actions', value: (r) => [
    h('button', { type: 'button', class: 'quiet', 'aria-label': `Edit ${noun} ${r.name}`, onclick: () => openForm(r) }, 'Edit'), ' ',
    toggle ? enableToggle(path, r, () => reload(), noun) : null, extraAction ? extraAction(r, () => reload()) : null] }];
  const pager = cursorPager(async (cursor) => {
    const page = await api(path + query({ ...params(), limit: PAGE_SIZE, cursor }));
    list.replaceChildren(table({ caption: `${noun[0].toUpperCase()}${noun.slice(1)}s`, id: `${noun}-list`, rows: page.data, columns: [...columns, ...actions] }));
    return page;
  }, `${noun} pages`);
  reload = () => pager.first().catch((error) => list.replaceChildren(errorBox(error)));
  body.replaceChildren(
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => openForm(null) }, `Add ${noun}`), toolbar),
    formSlot, list, pager.nav);
  return { reload, ready: pager.first() };
}

async function providers(body) {
  const list = resourceList(body, {
    noun: 'provider', path: '/providers',
    columns: [
      { label: 'Name', value: (p) => p.name }, { label: 'Kind', value: (p) => p.kind }, { label: 'Base URL', value: (p) => p.base_url ?? 'default' },
      { label: 'Key reference', value: (p) => p.api_key_ref ?? '—' }, { label: 'Limits', value: (p) => `${p.rpm ?? '∞'} rpm / ${p.tpm ?? '∞'} tpm` },
      { label: 'State', value: enabledBadge },
    ],
    form: (record, done) => editor({
      title: record ? `Edit provider ${record.name}` : 'Add a provider', record, done, save: saver('/providers'),
      specs: [
        { name: 'name', label: 'Name', required: true, get: (r) => r.name, hint: 'a slug: a-z, 0-9, - and _' },
        { name: 'kind', label: 'Kind', type: 'select', options: PROVIDER_KINDS.map((k) => [k, k]), get: (r) => r.kind, value: 'openai' },
        { name: 'base_url', label: 'Base URL', get: (r) => r.base_url, hint: 'empty: the provider’s default' },
        { name: 'api_key_ref', label: 'API key reference', get: (r) => r.api_key_ref, hint: 'env:NAME, file:/path or secret:NAME — never the key' },
        { name: 'rpm', label: 'Requests per minute', type: 'number', get: (r) => r.rpm },
        { name: 'tpm', label: 'Tokens per minute', type: 'number', get: (r) => r.tpm },
      ],
      payload: (v) => ({ name: v.name, kind: v.kind, base_url: v.base_url, api_key_ref: v.api_key_ref, rpm: v.rpm, tpm: v.tpm }),
    }),
  });
  await list.ready;
}

async function models(body) {
  const providerList = await all('/providers');
  const list = resourceList(body, {
    noun: 'model', path: '/models',
    columns: [
      { label: 'Name', value: (m) => m.name }, { label: 'Provider', value: (m) => m.provider_name ?? m.provider },
      { label: 'Upstream model', value: (m) => m.upstream_model },
      { label: 'Input / output per Mtok', numeric: true, value: (m) => m.pricing ? `${fmt.usd(m.pricing.input_per_mtok)} / ${fmt.usd(m.pricing.output_per_mtok)}` : 'unpriced' },
      { label: 'Context', numeric: true, value: (m) => fmt.int(m.context_window) }, { label: 'State', value: enabledBadge },
    ],
    form: (record, done) => editor({
      title: record ? `Edit model ${record.name}` : 'Add a model', record, done, save: saver('/models'),
      specs: [
        { name: 'name', label: 'Public name', required: true, get: (r) => r.name, hint: 'what clients send as "model"' },
        { name: 'provider', label: 'Provider', type: 'select', options: providerList.map((p) => [p.id, p.name]), get: (r) => r.provider },
        { name: 'upstream_model', label: 'Upstream model', required: true, get: (r) => r.upstream_model },
        { name: 'input', label: 'Input USD per million tokens', type: 'number', apiField: 'pricing.input_per_mtok', get: (r) => r.pricing?.input_per_mtok },
        { name: 'output', label: 'Output USD per million tokens', type: 'number', apiField: 'pricing.output_per_mtok', get: (r) => r.pricing?.output_per_mtok },
        { name: 'context_window', label: 'Context window (tokens)', type: 'number', get: (r) => r.context_window },
        { name: 'priority', label: 'Priority', type: 'number', get: (r) => r.priority, value: 0 },
        { name: 'weight', label: 'Weight', type: 'number', get: (r) => r.weight, value: 1 },
      ],
      payload: (v) => ({
        name: v.name, provider: v.provider, upstream_model: v.upstream_model, context_window: v.context_window, priority: v.priority, weight: v.weight,
        ...(v.input === null && v.output === null ? {} : { pricing: { input_per_mtok: v.input ?? 0, output_per_mtok: v.output ?? 0 } }),
      }),
    }),
  });
  await list.ready;
}

/** A route's fields the form does not edit, kept as they are when it is saved (a PUT replaces the route). */
const KEPT_ROUTE_FIELDS = ['affinity', 'unsupported_params', 'stream_recovery', 'timeouts'];

/** Deletes a route after a confirmation step in place (its model then routes by priority). */
function deleteRouteButton(route, reload) {
  const cell = h('span');
  const ask = h('button', { type: 'button', class: 'quiet', 'aria-label': `Delete route ${route.name}`, onclick: () => {
    cell.replaceChildren(h('button', { type: 'button', onclick: async () => {
      try {
        await api(`/routes/${encodeURIComponent(route.name)}`, { method: 'DELETE' });
        announce(`Route ${route.name} deleted.`);
        reload();
      } catch (error) {
        cell.replaceChildren(errorBox(error));
      }
    } }, `Confirm: delete ${route.name}`), ' ', h('button', { type: 'button', class: 'quiet', onclick: () => cell.replaceChildren(ask) }, 'Cancel'));
    cell.querySelector('button').focus();
  } }, 'Delete');
  cell.append(ask);
  return cell;
}

async function routes(body) {
  const list = resourceList(body, {
    noun: 'route', path: '/routes', toggle: false, extraAction: deleteRouteButton,
    columns: [
      { label: 'Name', value: (r) => r.name }, { label: 'Strategy', value: (r) => r.strategy },
      { label: 'Fallbacks', value: (r) => (r.fallbacks || []).join(', ') || '—' }, { label: 'Retries', numeric: true, value: (r) => r.retries ?? '—' },
      { label: 'Timeout', numeric: true, value: (r) => fmt.ms(r.timeout_ms) },
      { label: 'Cache', value: (r) => r.cache?.enabled ? `on, ${r.cache.ttl_s} s` : 'off' },
      { label: 'Hedge', value: (r) => r.hedge?.enabled ? `after ${r.hedge.after_ms} ms` : 'off' },
    ],
    form: (record, done) => editor({
      title: record ? `Edit route ${record.name}` : 'Add a route', record, done,
      save: (payload, existing) => api(`/routes/${encodeURIComponent(existing ? existing.name : payload.name)}`, { method: 'PUT', body: payload.route }),
      specs: [
        { name: 'name', label: 'Model name it routes', required: true, get: (r) => r.name, hint: 'a public model name' },
        { name: 'strategy', label: 'Strategy', type: 'select', get: (r) => r.strategy, value: 'priority',
          options: ROUTE_STRATEGIES.map((k) => [k, k]) },
        { name: 'fallbacks', label: 'Fallbacks', get: (r) => (r.fallbacks || []).join(', '), hint: 'other model names, in order' },
        { name: 'retries', label: 'Retries', type: 'number', get: (r) => r.retries },
        { name: 'timeout_ms', label: 'Timeout (ms)', type: 'number', get: (r) => r.timeout_ms },
        { name: 'cache', label: 'Cache answers', type: 'checkbox', get: (r) => Boolean(r.cache?.enabled), value: false },
        { name: 'cache_ttl', label: 'Cache TTL (s)', type: 'number', apiField: 'cache.ttl_s', get: (r) => r.cache?.ttl_s },
        { name: 'hedge_after', label: 'Hedge after (ms)', type: 'number', apiField: 'hedge.after_ms', get: (r) => r.hedge?.enabled ? r.hedge.after_ms : null,
          hint: 'empty: no hedging' },
      ],
      payload: (v, existing) => {
        const route = {
          strategy: v.strategy, retries: v.retries, timeout_ms: v.timeout_ms,
          fallbacks: v.fallbacks ? v.fallbacks.split(',').map((m) => m.trim()).filter(Boolean) : [],
          cache: v.cache ? { enabled: true, ...(v.cache_ttl === null ? {} : { ttl_s: v.cache_ttl }) } : { enabled: false },
          hedge: v.hedge_after === null ? { enabled: false } : { enabled: true, after_ms: v.hedge_after },
        };
        for (const name of KEPT_ROUTE_FIELDS) if (existing && existing[name] !== null && existing[name] !== undefined) route[name] = existing[name];
        return { name: v.name, route };
      },
    }),
  });
  await list.ready;
}

async function teams(body) {
  const list = resourceList(body, {
    noun: 'team', path: '/teams', toggle: false,
    columns: [
      { label: 'Name', value: (t) => t.name }, { label: 'Budget', value: (t) => budgetText(t.budget) },
      { label: 'Limits', value: (t) => `${t.rpm ?? '∞'} rpm / ${t.tpm ?? '∞'} tpm` },
    ],
    form: (record, done) => editor({
      title: record ? `Edit team ${record.name}` : 'Add a team', record, done, save: saver('/teams'),
      specs: [{ name: 'name', label: 'Name', required: true, get: (r) => r.name }, ...BUDGET_FIELDS,
        { name: 'rpm', label: 'Requests per minute', type: 'number', get: (r) => r.rpm }, { name: 'tpm', label: 'Tokens per minute', type: 'number', get: (r) => r.tpm }],
      payload: (v) => ({ name: v.name, budget: budgetOf(v), rpm: v.rpm, tpm: v.tpm }),
    }),
  });
  await list.ready;
}

async function keys(body) {
  const teamList = await all('/teams');
  const search = h('input', { id: 'key-search', type: 'search', name: 'q', autocomplete: 'off' });
  const teamFilter = h('select', { id: 'key-team', name: 'filter_team' }, h('option', { value: '' }, 'All teams'), teamList.map((t) => h('option', { value: t.id }, t.name)));
  const secretSlot = h('div', { role: 'status' });
  const filters = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Find keys' },
    h('div', { class: 'field' }, h('label', { for: 'key-search' }, 'Name contains'), search),
    h('div', { class: 'field' }, h('label', { for: 'key-team' }, 'Team'), teamFilter),
    h('button', { type: 'submit' }, 'Find keys'));
  const list = resourceList(body, {
    noun: 'key', path: '/keys', params: () => ({ q: search.value.trim(), team: teamFilter.value }),
    toolbar: filters,
    columns: [
      { label: 'Name', value: (k) => k.name }, { label: 'Prefix', value: (k) => h('code', {}, k.prefix) },
      { label: 'Team', value: (k) => k.team_name ?? '—' }, { label: 'Budget', value: (k) => budgetText(k.budget) },
      { label: 'Models', value: (k) => (k.allowed_models || []).join(', ') || 'all' }, { label: 'Expires', value: (k) => k.expires_at ? fmt.time(k.expires_at) : 'never' },
      { label: 'State', value: enabledBadge },
    ],
    form: (record, done) => editor({
      title: record ? `Edit key ${record.name}` : 'Create a key', record,
      done: (saved) => {
        if (saved?.key) {
          secretSlot.replaceChildren(h('div', { class: 'notice', id: 'new-key' },
            h('strong', {}, `Key ${saved.name} created. `), 'Copy it now: it is shown only once. ', h('code', { id: 'new-key-secret' }, saved.key)));
          announce(`Key ${saved.name} created; its secret is shown once below the toolbar.`);
        }
        done(saved);
      },
      save: saver('/keys'),
      specs: [
        { name: 'name', label: 'Name', required: true, get: (r) => r.name },
        { name: 'team', label: 'Team', type: 'select', options: [['', 'no team'], ...teamList.map((t) => [t.id, t.name])], get: (r) => r.team ?? '' },
        { name: 'allowed_models', label: 'Allowed models', get: (r) => (r.allowed_models || []).join(', '), hint: 'comma-separated, globs allowed; empty: all' },
        ...BUDGET_FIELDS,
        { name: 'rpm', label: 'Requests per minute', type: 'number', get: (r) => r.rpm },
        { name: 'expires_at', label: 'Expires at (RFC 3339)', get: (r) => r.expires_at, placeholder: '2027-01-01T00:00:00Z' },
      ],
      payload: (v) => ({
        name: v.name, team: v.team, budget: budgetOf(v), rpm: v.rpm, expires_at: v.expires_at,
        allowed_models: v.allowed_models ? v.allowed_models.split(',').map((m) => m.trim()).filter(Boolean) : [],
      }),
    }),
  });
  filters.addEventListener('submit', (event) => { event.preventDefault(); list.reload(); });
  body.prepend(secretSlot);
  await list.ready;
}

export const RESOURCES = { providers, models, routes, teams, keys };
