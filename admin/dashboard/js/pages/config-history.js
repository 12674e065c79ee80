// Config versions (list, diff between any two, rollback with a confirmation step) and the audit log.
import { api, query } from '../api.js';
import { h, fmt, table, cursorPager, errorBox, announce, field } from '../ui.js';

export const PAGE_SIZE = 50;

/** One change of a diff: what changed and its before/after documents. */
function changeItem(change) {
  return h('li', {}, h('strong', {}, `${change.change} ${change.kind} `), h('code', {}, change.id),
    h('details', {}, h('summary', {}, 'Before and after'),
      h('pre', {}, `before: ${JSON.stringify(change.before, null, 2)}\nafter: ${JSON.stringify(change.after, null, 2)}`)));
}

export async function versions(body) {
  const diffSlot = h('section', { id: 'diff', 'aria-live': 'polite' });
  const list = h('div');
  let latest = (await api('/config/versions?limit=1')).data[0]?.version ?? 0;

  async function showDiff(from, to) {
    try {
      const diff = await api('/config/diff' + query({ from, to }));
      diffSlot.replaceChildren(h('h2', {}, `Changes from version ${diff.from} to ${diff.to}`),
        diff.changes.length ? h('ul', { id: 'diff-changes' }, diff.changes.map(changeItem)) : h('p', {}, 'No differences.'));
    } catch (error) {
      diffSlot.replaceChildren(errorBox(error));
    }
  }

  function rollbackButton(version) {
    const cell = h('span');
    const ask = h('button', { type: 'button', class: 'quiet', 'aria-label': `Roll back to version ${version.version}`, onclick: () => {
      cell.replaceChildren(
        h('button', { type: 'button', onclick: async () => {
          try {
            const result = await api('/config/rollback', { method: 'POST', body: { version: version.version } });
            announce(`Rolled back: version ${version.version} is live again as version ${result.version ?? 'new'}.`);
            pager.first();
          } catch (error) {
            cell.replaceChildren(errorBox(error));
          }
        } }, `Confirm: publish version ${version.version} again`), ' ',
        h('button', { type: 'button', class: 'quiet', onclick: () => cell.replaceChildren(ask) }, 'Cancel'));
      cell.querySelector('button').focus();
    } }, 'Roll back');
    cell.append(ask);
    return cell;
  }

  const pager = cursorPager(async (cursor) => {
    const page = await api('/config/versions' + query({ limit: PAGE_SIZE, cursor }));
    if (!cursor && page.data.length) latest = page.data[0].version;
    list.replaceChildren(table({
      caption: 'Config versions, newest first', id: 'versions', rows: page.data,
      columns: [
        { label: 'Version', numeric: true, value: (v) => v.version }, { label: 'When', value: (v) => fmt.time(v.created_at) },
        { label: 'Author', value: (v) => v.author }, { label: 'Summary', value: (v) => v.summary },
        { label: 'Objects changed', numeric: true, value: (v) => v.changes },
        { label: 'Actions', value: (v) => [
          v.version > 1 ? h('button', { type: 'button', class: 'quiet', 'aria-label': `Show what version ${v.version} changed`,
            onclick: () => showDiff(v.version - 1, v.version) }, 'Changes') : null, ' ',
          v.version === latest ? h('span', { class: 'muted' }, 'live') : rollbackButton(v)] },
      ],
    }));
    return page;
  }, 'Version pages');

  const compare = h('form', { class: 'toolbar', 'aria-label': 'Compare two versions' },
    field({ name: 'from', label: 'From version', type: 'number', value: Math.max(1, latest - 1), required: true }),
    field({ name: 'to', label: 'To version', type: 'number', value: latest, required: true }),
    h('button', { type: 'submit' }, 'Compare'));
  compare.addEventListener('submit', (event) => {
    event.preventDefault();
    showDiff(compare.elements.from.value, compare.elements.to.value);
  });
  body.replaceChildren(compare, diffSlot, list, pager.nav);
  await pager.first();
}

export async function audit(body) {
  const resource = h('select', { id: 'audit-resource' }, ['', 'provider', 'model', 'route', 'team', 'key', 'secret', 'settings', 'catalog', 'config']
    .map((r) => h('option', { value: r }, r || 'every resource')));
  const list = h('div');
  const pager = cursorPager(async (cursor) => {
    const page = await api('/audit' + query({ limit: PAGE_SIZE, cursor, resource: resource.value }));
    list.replaceChildren(table({
      caption: 'Admin writes, newest first (secrets never appear here)', id: 'audit', rows: page.data,
      columns: [
        { label: 'When', value: (a) => fmt.time(a.at) }, { label: 'Actor', value: (a) => a.actor }, { label: 'Action', value: (a) => a.action },
        { label: 'Resource', value: (a) => `${a.resource} ${a.resource_id}` }, { label: 'Summary', value: (a) => a.summary },
        { label: 'Version', numeric: true, value: (a) => a.config_version },
        { label: 'Before / after', value: (a) => h('details', {}, h('summary', {}, 'Show'),
          h('pre', {}, `before: ${JSON.stringify(a.before, null, 2)}\nafter: ${JSON.stringify(a.after, null, 2)}`)) },
      ],
    }));
    return page;
  }, 'Audit pages');
  const filter = h('form', { class: 'toolbar', 'aria-label': 'Filter the audit log' },
    h('div', { class: 'field' }, h('label', { for: 'audit-resource' }, 'Resource'), resource), h('button', { type: 'submit' }, 'Show'));
  filter.addEventListener('submit', (event) => { event.preventDefault(); pager.first(); });
  body.replaceChildren(filter, list, pager.nav);
  await pager.first();
}
