// The admin API as the dashboard calls it. The admin token lives in sessionStorage only (gone with the tab).
const TOKEN_KEY = 'switchyard.admin-token';

/** The signed-in admin token, kept for this browser tab only. */
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  signIn(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  signOut() { sessionStorage.removeItem(TOKEN_KEY); },
};

/** An error answer of the API: its status, message and the field it names (if any). */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || null;
  }
}

/** Calls `/admin/v1{path}` with the token; resolves to the JSON answer (null for 204), or the raw response. */
export async function api(path, { method = 'GET', body, raw = false, token = session.token } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch('/admin/v1' + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
  });
  if (response.status === 401) {
    if (token === session.token) {
      session.signOut();
      window.dispatchEvent(new Event('switchyard:signed-out'));
    }
    throw new ApiError(401, 'The admin token was refused.');
  }
  if (!response.ok) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(response.status, error.message || `${response.status} ${response.statusText}`, error.field);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** A query string of the non-empty `params` ('' when none). */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? '?' + text : '';
}

/** Every item of a paginated list (for short lists: teams, providers). */
export async function all(path, params = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path + query({ ...params, limit: 1000, cursor }));
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Saves the answer of `path` (CSV, say) as a file named `filename`. */
export async function download(path, filename) {
  const response = await api(path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
