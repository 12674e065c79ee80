// The dashboard's shell: sign-in with the admin token, the page router (#/page/...), focus on page change.
import { api, session, ApiError } from './api.js';
import { h, errorBox, field } from './ui.js';
import * as overview from './pages/overview.js';
import * as providers from './pages/providers.js';
import * as spend from './pages/spend.js';
import * as requests from './pages/requests.js';
import * as config from './pages/config.js';

const pages = { overview, providers, spend, requests, config };
const main = document.getElementById('main');
const header = document.querySelector('header.top');
let stopCurrent = null;

function signInPage(message) {
  header.hidden = true;
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Switchyard'),
    h('p', {}, 'Enter the admin token (SWITCHYARD_ADMIN_TOKEN). It is kept in this tab only and sent only to this gateway.'),
    message ? errorBox({ message }) : null,
    field({ name: 'token', label: 'Admin token', type: 'password', required: true }),
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = form.elements.token.value.trim();
    try {
      await api('/config/versions?limit=1', { token });
      session.signIn(token);
      if (!location.hash || location.hash === '#/signin') location.hash = '#/overview';
      else route();
    } catch (error) {
      signInPage(error instanceof ApiError && error.status === 401 ? 'That token was refused.' : error.message);
    }
  });
  main.replaceChildren(form);
  form.elements.token.focus();
}

let renders = 0;

/** Shows the page the hash names (`#/name/arg...`). Each page renders into a fresh view that replaces the
 * current one only if no later navigation started meanwhile. */
async function route() {
  if (stopCurrent) { stopCurrent(); stopCurrent = null; }
  if (!session.token) return signInPage();
  header.hidden = false;
  const ticket = ++renders;
  const [name = 'overview', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = pages[name] || overview;
  for (const link of header.querySelectorAll('nav a')) {
    if (link.dataset.page === (pages[name] ? name : 'overview')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  const view = h('div');
  let stop = null;
  try {
    stop = (await page.render(view, args)) || null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signInPage('The admin token was refused.');
    view.replaceChildren(h('h1', {}, 'Something went wrong'), errorBox(error));
  }
  if (ticket !== renders) {
    if (stop) stop();
    return;
  }
  stopCurrent = stop;
  main.replaceChildren(view);
  const title = view.querySelector('h1');
  document.title = title ? `${title.textContent} · Switchyard` : 'Switchyard';
  if (title) {
    title.setAttribute('tabindex', '-1');
    title.focus();
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/signin';
  signInPage();
});
window.addEventListener('switchyard:signed-out', () => signInPage('The admin token was refused.'));
window.addEventListener('hashchange', route);
route();
