// The create/edit form shared by the config resources: labelled fields, the API's payload built from them,
// and the API's validation error shown on the field it names.
import { api } from '../api.js';
import { h, field, showFormError, clearFormErrors, announce } from '../ui.js';

/** Reads a control as the API wants it: numbers as numbers, empty as null, checkboxes as booleans. */
export function valueOf(control, spec) {
  if (spec.type === 'checkbox') return control.checked;
  const text = control.value.trim();
  if (text === '') return null;
  return spec.type === 'number' ? Number(text) : text;
}

/**
 * A form for one resource. `specs`: field specs (ui.field) with `get(record)` for editing; `payload(values,
 * record)` builds the request body; `save(body, record)` sends it (POST when creating, PATCH when editing).
 */
export function editor({ title, specs, record = null, payload, save, done }) {
  const form = h('form', { class: 'editor', 'aria-labelledby': `${title.replace(/\W+/g, '-')}-legend`, novalidate: true },
    h('fieldset', {},
      h('legend', { id: `${title.replace(/\W+/g, '-')}-legend` }, title),
      h('div', { class: 'form-alert alert', role: 'alert', tabindex: '-1', hidden: true }),
      h('div', { class: 'grid' }, specs.map((spec) => field({ ...spec, value: record && spec.get ? spec.get(record) : spec.value }))),
      h('button', { type: 'submit' }, record ? 'Save changes' : 'Create'), ' ',
      h('button', { type: 'button', class: 'quiet', onclick: () => done(null) }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const values = {};
    for (const spec of specs) values[spec.name] = valueOf(form.elements[spec.name], spec);
    try {
      const answer = await save(payload(values, record), record);
      announce(`${title}: saved.`);
      done(answer);
    } catch (error) {
      showFormError(form, error);
    }
  });
  return form;
}

/** `{limit_usd, period, soft_limit_pct}` from the budget fields, or null when no limit is given. */
export function budgetOf(values) {
  if (values.budget_limit === null) return null;
  return { limit_usd: values.budget_limit, period: values.budget_period, soft_limit_pct: values.budget_soft };
}

/** The budget fields (limit, period, soft-limit %) of keys and teams. */
export const BUDGET_FIELDS = [
  { name: 'budget_limit', label: 'Budget (USD)', type: 'number', apiField: 'budget.limit_usd', get: (r) => r.budget?.limit_usd, hint: 'Empty: no budget' },
  { name: 'budget_period', label: 'Budget period', type: 'select', apiField: 'budget.period', get: (r) => r.budget?.period ?? 'monthly',
    options: [['daily', 'daily'], ['weekly', 'weekly'], ['monthly', 'monthly'], ['total', 'total']], value: 'monthly' },
  { name: 'budget_soft', label: 'Soft alert at (%)', type: 'number', apiField: 'budget.soft_limit_pct', get: (r) => r.budget?.soft_limit_pct },
];

/** Sends a body to the API: POST to `collection` when creating, PATCH to `collection/id` when editing. */
export function saver(collection) {
  return (body, record) => record
    ? api(`${collection}/${encodeURIComponent(record.id)}`, { method: 'PATCH', body })
    : api(collection, { method: 'POST', body });
}

/** A button that flips `enabled` through PATCH and then reloads the list. */
export function enableToggle(collection, record, reload, noun) {
  return h('button', { type: 'button', class: 'quiet', 'aria-label': `${record.enabled ? 'Disable' : 'Enable'} ${noun} ${record.name}`, onclick: async () => {
    await api(`${collection}/${encodeURIComponent(record.id)}`, { method: 'PATCH', body: { enabled: !record.enabled } });
    announce(`${noun} ${record.name} ${record.enabled ? 'disabled' : 'enabled'}.`);
    reload();
  } }, record.enabled ? 'Disable' : 'Enable');
}
