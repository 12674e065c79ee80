// Config: providers, models, routes, teams and keys (create, edit, disable through the API, whose validation
// messages are shown on the field they name), config versions with diff and rollback, and the audit log.
import { h } from '../ui.js';
import { RESOURCES } from './config-resources.js';
import { versions, audit } from './config-history.js';

const TABS = [
  ['providers', 'Providers'], ['models', 'Models'], ['routes', 'Routes'], ['teams', 'Teams'], ['keys', 'Keys'],
  ['versions', 'Versions'], ['audit', 'Audit log'],
];

export async function render(main, [tab = 'providers']) {
  const known = TABS.some(([name]) => name === tab) ? tab : 'providers';
  const body = h('div', { id: `config-${known}` });
  main.replaceChildren(
    h('h1', {}, 'Config'),
    h('nav', { 'aria-label': 'Config sections' }, h('ul', { class: 'tabs' }, TABS.map(([name, label]) =>
      h('li', {}, h('a', { href: `#/config/${name}`, 'aria-current': name === known ? 'page' : null }, label))))),
    body);
  if (known === 'versions') return versions(body);
  if (known === 'audit') return audit(body);
  return RESOURCES[known](body);
}
