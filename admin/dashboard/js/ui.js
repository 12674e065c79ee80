// Small DOM helpers shared by the pages: an element builder, number formats, tables, pagers, forms.

/** Creates an element: `attrs` sets attributes (`on*` functions become listeners), children are nodes or text. */
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'line', 'text', 'title', 'path'].includes(tag);
  const element = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Display formats; every figure also keeps its exact API value in `data-value`. */
export const fmt = {
  // Amounts under a cent keep their significant digits (a single request often costs $0.000027).
  usd: (v) => (v === null || v === undefined ? '—' : v > 0 && v < 0.01 ? `$${v.toFixed(8).replace(/0+$/, '')}` : usdFormat.format(v)),
  int: (v) => (v === null || v === undefined ? '—' : intFormat.format(v)),
  ms: (v) => (v === null || v === undefined ? '—' : `${intFormat.format(Math.round(v))} ms`),
  pct: (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`),
  time: (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—'),
};

/** A figure: its formatted text, its exact value in `data-value` and a name for tests in `data-figure`. */
export function figure(name, value, format) {
  return h('span', { 'data-figure': name, 'data-value': value === null || value === undefined ? '' : value }, format(value));
}

/**
 * A table with a caption; each column is `{label, value: row => text|node, numeric}`. An empty list shows `empty`.
 */
export function table({ caption, columns, rows, empty = 'Nothing to show.', id }) {
  return h('table', { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty))
      : rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.value(row)))))));
}

/** A one-way cursor pager: `load(cursor)` shows a page; Previous walks back through the cursors seen. */
export function cursorPager(load, label) {
  const seen = [];
  let current = null;
  const nav = h('nav', { class: 'pager', 'aria-label': label });
  const show = async (cursor) => {
    const page = await load(cursor);
    current = cursor;
    nav.replaceChildren(
      h('button', { type: 'button', class: 'quiet', disabled: seen.length === 0, onclick: () => show(seen.pop()) }, 'Previous page'),
      h('button', { type: 'button', class: 'quiet', disabled: !page.next_cursor, onclick: () => { seen.push(current); show(page.next_cursor); } }, 'Next page'),
    );
    return page;
  };
  return { nav, first: () => { seen.length = 0; return show(null); } };
}

/** A status badge whose text says what the colour says. */
export function badge(text, tone) {
  return h('span', { class: `badge ${tone}` }, text);
}

/** Reads out `message` to screen readers. */
export function announce(message) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 50);
}

/** An alert box for an error (role=alert, so it is read out). */
export function errorBox(error) {
  return h('div', { class: 'alert', role: 'alert' }, error.message || String(error));
}

let fieldCounter = 0;

/**
 * A labelled form control. `spec`: {name, label, type (text|number|select|checkbox|password|datetime-local),
 * options [[value,label]], value, hint, required, placeholder, apiField (the API's name for it in errors)}.
 */
export function field(spec) {
  const id = `f${++fieldCounter}-${spec.name}`;
  const hintId = spec.hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  let control;
  if (spec.type === 'select') {
    control = h('select', { id, name: spec.name, required: spec.required },
      spec.options.map(([value, label]) => h('option', { value, selected: String(spec.value ?? '') === String(value) }, label)));
  } else if (spec.type === 'checkbox') {
    control = h('input', { id, name: spec.name, type: 'checkbox', checked: spec.value !== false });
  } else {
    control = h('input', { id, name: spec.name, type: spec.type || 'text', required: spec.required, placeholder: spec.placeholder,
      step: spec.type === 'number' ? 'any' : null, autocomplete: 'off', value: spec.value ?? null });
  }
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  control.dataset.apiField = spec.apiField || spec.name;
  return h('div', { class: 'field' },
    h('label', { for: id }, spec.label), control,
    spec.hint ? h('div', { id: hintId, class: 'hint' }, spec.hint) : null,
    h('div', { id: errorId, class: 'field-error' }));
}

/** Shows `error` on the form: on the control its `field` names (`apiName` of a spec), else in the form's alert. */
export function showFormError(form, error) {
  clearFormErrors(form);
  const target = error.field && form.querySelector(`[data-api-field="${CSS.escape(error.field)}"]`);
  const box = form.querySelector('.form-alert');
  box.hidden = false;
  box.textContent = error.message;
  if (target) {
    target.setAttribute('aria-invalid', 'true');
    document.getElementById(target.id + '-error').textContent = error.message;
    target.focus();
  } else {
    box.focus();
  }
}

/** Clears the error marks of a form. */
export function clearFormErrors(form) {
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    document.getElementById(control.id + '-error').textContent = '';
  }
  const box = form.querySelector('.form-alert');
  box.hidden = true;
  box.textContent = '';
}
