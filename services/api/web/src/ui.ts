import { ApiError } from './api';
import { CognitoError } from './cognito';
import { type Child, h, uniqueId } from './dom';
import type { Flash } from './page';

/** The portal's building blocks: fields with their errors, forms that show progress, dialogs, notices. */

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number';
  value?: string;
  hint?: string;
  autocomplete?: string;
  inputmode?: 'text' | 'email' | 'numeric' | 'decimal';
  /** Extra input attributes (min, max, step, maxlength...). */
  attributes?: Record<string, string | number | boolean>;
  /** The message to show, or undefined when the value is acceptable. */
  validate?: (value: string) => string | undefined;
}

export interface Field {
  element: HTMLElement;
  input: HTMLInputElement;
  setError(message: string | undefined): void;
}

export function createField(spec: FieldSpec): Field {
  const id = uniqueId(`field-${spec.name}`);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name: spec.name,
    type: spec.type ?? 'text',
    value: spec.value,
    autocomplete: spec.autocomplete,
    inputmode: spec.inputmode,
    required: true,
    'aria-describedby': spec.hint ? hintId : undefined,
    ...spec.attributes,
  });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const control =
    spec.type === 'password' ? h('div', { class: 'password' }, input, revealButton(input)) : input;
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, spec.label),
    control,
    spec.hint && h('p', { id: hintId, class: 'hint' }, spec.hint),
    error,
  );
  return {
    element,
    input,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === undefined;
      input.setAttribute('aria-invalid', String(message !== undefined));
      const described = [spec.hint ? hintId : '', message === undefined ? '' : errorId].filter(Boolean);
      if (described.length > 0) input.setAttribute('aria-describedby', described.join(' '));
      else input.removeAttribute('aria-describedby');
    },
  };
}

function revealButton(input: HTMLInputElement): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'reveal', 'aria-pressed': 'false' }, 'Show');
  button.setAttribute('aria-label', 'Show password');
  button.addEventListener('click', () => {
    const shown = input.type === 'password';
    input.type = shown ? 'text' : 'password';
    button.textContent = shown ? 'Hide' : 'Show';
    button.setAttribute('aria-pressed', String(shown));
    button.setAttribute('aria-label', shown ? 'Hide password' : 'Show password');
  });
  return button;
}

/** Where an error belongs: next to a field, or above the form. */
export interface ErrorPlacement {
  field?: string;
  message: string;
}

export interface FormOptions {
  /** The form's accessible name. */
  label: string;
  fields: FieldSpec[];
  submitLabel: string;
  /** Shown on the submit button while the request runs ('Saving…'). */
  busyLabel: string;
  onSubmit(values: Record<string, string>): Promise<void>;
  /** Turns a refusal into a message for a field or the form; defaults to describeError. */
  placeError?: (error: unknown) => ErrorPlacement;
  /** Buttons or links beside the submit button. */
  actions?: Child;
  class?: string;
}

export interface Form {
  element: HTMLFormElement;
  fields: Map<string, Field>;
  showError(placement: ErrorPlacement): void;
}

export function createForm(options: FormOptions): Form {
  const fields = new Map(options.fields.map((spec) => [spec.name, createField(spec)]));
  const formError = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary' }, options.submitLabel);
  const element = h(
    'form',
    { class: `form ${options.class ?? ''}`, novalidate: true, 'aria-label': options.label },
    formError,
    [...fields.values()].map((field) => field.element),
    h('div', { class: 'form-actions' }, submit, options.actions),
  );

  const clearErrors = () => {
    formError.hidden = true;
    for (const field of fields.values()) field.setError(undefined);
  };
  const showError = ({ field, message }: ErrorPlacement) => {
    const target = field === undefined ? undefined : fields.get(field);
    if (target === undefined) {
      formError.textContent = message;
      formError.hidden = false;
      formError.focus();
      return;
    }
    target.setError(message);
    target.input.focus();
  };

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors();
    // Passwords are compared exactly: only the other fields lose surrounding spaces.
    const values = Object.fromEntries(
      options.fields.map((spec) => {
        const value = fields.get(spec.name)?.input.value ?? '';
        return [spec.name, spec.type === 'password' ? value : value.trim()] as const;
      }),
    );
    const invalid = options.fields
      .map((spec) => ({ spec, message: spec.validate?.(values[spec.name] ?? '') }))
      .filter((entry) => entry.message !== undefined);
    for (const { spec, message } of invalid) fields.get(spec.name)?.setError(message);
    if (invalid[0] !== undefined) {
      fields.get(invalid[0].spec.name)?.input.focus();
      return;
    }
    const restore = busy(submit, options.busyLabel);
    try {
      await options.onSubmit(values);
    } catch (error) {
      if (error instanceof ApiError && error.fieldIssues.length > 0) {
        const placed = error.fieldIssues.filter((issue) => fields.has(issue.path));
        for (const issue of placed) fields.get(issue.path)?.setError(sentence(issue.message));
        const rest = error.fieldIssues.filter((issue) => !fields.has(issue.path));
        if (rest.length > 0 || placed.length === 0) {
          showError({
            message: rest.map((issue) => `${issue.path}: ${issue.message}`).join(' ') || error.message,
          });
        } else {
          fields.get(placed[0]?.path ?? '')?.input.focus();
        }
      } else {
        showError((options.placeError ?? describeError)(error));
      }
    } finally {
      restore();
    }
  });
  formError.tabIndex = -1;
  return { element, fields, showError };
}

/** Disables a button and says what is happening; returns the function that puts it back. */
export function busy(button: HTMLButtonElement, label: string): () => void {
  const content = [...button.childNodes];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.replaceChildren(spinner(), label);
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.replaceChildren(...content);
  };
}

export function spinner(): HTMLElement {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

export function describeError(error: unknown): ErrorPlacement {
  if (error instanceof ApiError || error instanceof CognitoError) return { message: sentence(error.message) };
  return { message: 'Something went wrong. Try again.' };
}

/** 'Too small: expected number to be >=-40' -> 'Too small: expected number to be >=-40.' */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capitalised = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

export function alertBox(
  kind: 'error' | 'success' | 'info',
  message: Child,
  ...actions: Child[]
): HTMLElement {
  return h(
    'div',
    { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'alert-message' }, message),
    actions.length > 0 && h('div', { class: 'alert-actions' }, actions),
  );
}

export function loading(label: string): HTMLElement {
  return h('div', { class: 'loading', role: 'status' }, spinner(), h('span', {}, label));
}

let toastRegion: HTMLElement | undefined;

/** A short confirmation that something worked, read out by screen readers. */
export function toast(message: string): void {
  toastRegion ??= document.body.appendChild(
    h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' }),
  );
  // One at a time: the newest says what just happened.
  const item = h('div', { class: 'toast' }, message);
  toastRegion.replaceChildren(item);
  window.setTimeout(() => item.remove(), 3000);
}

export interface ConfirmOptions {
  title: string;
  message: Child;
  confirmLabel: string;
  busyLabel: string;
  danger?: boolean;
  /** Runs while the dialog stays open, so that a failure is shown where the user is looking. */
  action(): Promise<void>;
}

/** A modal dialog (the browser's own, with its focus handling); resolves true once the action succeeded. */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const titleId = uniqueId('dialog-title');
  const error = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
  const confirm = h(
    'button',
    { type: 'button', class: `button ${options.danger ? 'danger' : 'primary'}` },
    options.confirmLabel,
  );
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, options.title),
    h('div', { class: 'dialog-body' }, options.message),
    error,
    h('div', { class: 'dialog-actions' }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let done = false;
    const close = (result: boolean) => {
      done = result;
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(done);
    });
    // Escape closes the dialog, except while the action runs.
    dialog.addEventListener('cancel', (event) => {
      if (confirm.disabled) event.preventDefault();
    });
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', async () => {
      error.hidden = true;
      cancel.disabled = true;
      const restore = busy(confirm, options.busyLabel);
      try {
        await options.action();
        close(true);
      } catch (failure) {
        error.textContent = describeError(failure).message;
        error.hidden = false;
        restore();
        cancel.disabled = false;
      }
    });
    dialog.showModal();
    cancel.focus();
  });
}

export function copyButton(text: () => string, label = 'Copy'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
      toast('Copied to the clipboard');
    } catch {
      button.textContent = 'Select and copy';
    }
    window.setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
  return button;
}

/** A signed-in page: its heading (with the page's main action beside it), the flash message, the content. */
export function pageLayout(
  flash: Flash | undefined,
  title: string,
  action: HTMLElement | undefined,
  ...content: HTMLElement[]
): HTMLElement {
  return h(
    'div',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, title), action),
    flash && dismissible(alertBox(flash.kind, flash.message)),
    content,
  );
}

/** Adds a close button to a message that has served its purpose once read. */
export function dismissible(box: HTMLElement): HTMLElement {
  const close = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss' }, '×');
  close.addEventListener('click', () => box.remove());
  box.classList.add('alert-dismissible');
  box.append(close);
  return box;
}
