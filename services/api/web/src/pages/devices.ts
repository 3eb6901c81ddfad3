import type { Device } from '../api';
import { h, uniqueId } from '../dom';
import type { Page } from '../page';
import {
  alertBox,
  confirmAction,
  copyButton,
  createForm,
  describeError,
  type FieldSpec,
  loading,
  pageLayout,
  toast,
} from '../ui';

/** My devices: register, list, change the alert threshold, delete, issue or rotate the device token. */

// The alert threshold's range (shared/src/schemas/api/devices.ts); the API checks it again.
const MIN_THRESHOLD_C = -40;
const MAX_THRESHOLD_C = 80;

const temperature = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const formatC = (value: number) => `${temperature.format(value)} °C`;

function thresholdField(value?: number): FieldSpec {
  return {
    name: 'thresholdC',
    label: 'Alert threshold (°C)',
    type: 'number',
    inputmode: 'decimal',
    value: value === undefined ? '' : String(value),
    hint: `Alert when the average temperature rises above this, from ${MIN_THRESHOLD_C} to ${MAX_THRESHOLD_C} °C.`,
    attributes: { min: MIN_THRESHOLD_C, max: MAX_THRESHOLD_C, step: 0.5 },
    validate: (raw) => {
      if (raw === '') return 'Enter a temperature in °C.';
      const number = Number(raw);
      if (!Number.isFinite(number)) return 'Enter a number, for example 26.5.';
      if (number < MIN_THRESHOLD_C || number > MAX_THRESHOLD_C)
        return `Choose a temperature from ${MIN_THRESHOLD_C} to ${MAX_THRESHOLD_C} °C.`;
      return undefined;
    },
  };
}

const required = (what: string, max: number) => (value: string) => {
  if (value === '') return `Enter ${what}.`;
  return value.length > max ? `Use at most ${max} characters.` : undefined;
};

export const devicesPage: Page = (context) => {
  let devices: Device[] = [];
  const issued = new Set<string>();
  const list = h('div', { class: 'devices', 'aria-live': 'polite', 'aria-busy': 'true' });
  const addPanelId = uniqueId('add-device');
  const addButton = h(
    'button',
    { type: 'button', class: 'button primary', 'aria-expanded': 'false', 'aria-controls': addPanelId },
    'Add device',
  );
  const addPanel = h('section', { id: addPanelId, class: 'card add-device', hidden: true });

  const render = () => {
    list.setAttribute('aria-busy', 'false');
    if (devices.length === 0) {
      list.replaceChildren(
        h(
          'div',
          { class: 'empty' },
          h('h2', {}, 'No devices yet'),
          h(
            'p',
            {},
            'Add your first thermostat to set its alert threshold and connect it with a device token.',
          ),
          h(
            'button',
            { type: 'button', class: 'button primary', onclick: () => openAddPanel() },
            'Add a device',
          ),
        ),
      );
      return;
    }
    const sorted = [...devices].sort((a, b) => a.name.localeCompare(b.name));
    list.replaceChildren(
      h('p', { class: 'count' }, devices.length === 1 ? '1 device' : `${devices.length} devices`),
      h(
        'ul',
        { class: 'device-list' },
        sorted.map((device) => deviceCard(device)),
      ),
    );
  };

  const replace = (device: Device) => {
    devices = devices.map((candidate) => (candidate.deviceId === device.deviceId ? device : candidate));
    render();
  };

  const load = () => {
    list.setAttribute('aria-busy', 'true');
    list.replaceChildren(loading('Loading your devices…'));
    context.api.listDevices(context.signal).then(
      (found) => {
        devices = found;
        render();
      },
      (error: unknown) => {
        if (context.signal.aborted) return;
        list.setAttribute('aria-busy', 'false');
        list.replaceChildren(
          alertBox(
            'error',
            `Your devices could not be loaded. ${describeError(error).message}`,
            h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
          ),
        );
      },
    );
  };

  function openAddPanel() {
    if (!addPanel.hidden) {
      addPanel.querySelector('input')?.focus();
      return;
    }
    const form = createForm({
      label: 'Add a device',
      class: 'form-grid',
      fields: [
        {
          name: 'name',
          label: 'Name',
          autocomplete: 'off',
          hint: 'For example: Living room',
          attributes: { maxlength: 64 },
          validate: required('a name', 64),
        },
        {
          name: 'location',
          label: 'Location',
          autocomplete: 'off',
          hint: 'Where it is installed: a room, a building, an address.',
          attributes: { maxlength: 128 },
          validate: required('a location', 128),
        },
        thresholdField(25),
      ],
      submitLabel: 'Add device',
      busyLabel: 'Adding…',
      actions: h('button', { type: 'button', class: 'button', onclick: closeAddPanel }, 'Cancel'),
      onSubmit: async ({ name = '', location = '', thresholdC = '' }) => {
        const device = await context.api.registerDevice({ name, location, thresholdC: Number(thresholdC) });
        devices = [...devices, device];
        closeAddPanel();
        render();
        toast(`${device.name} added`);
      },
    });
    addPanel.replaceChildren(h('h2', {}, 'Add a device'), form.element);
    addPanel.hidden = false;
    addButton.setAttribute('aria-expanded', 'true');
    addButton.hidden = true;
    form.fields.get('name')?.input.focus();
  }

  function closeAddPanel() {
    addPanel.hidden = true;
    addPanel.replaceChildren();
    addButton.hidden = false;
    addButton.setAttribute('aria-expanded', 'false');
    addButton.focus();
  }

  function deviceCard(device: Device): HTMLElement {
    const titleId = uniqueId('device');
    const body = h('div', { class: 'device-body' });
    const card = h(
      'li',
      { class: 'card device', 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'device-head' },
        h('h2', { id: titleId, class: 'device-name' }, device.name),
        h('span', { class: 'badge' }, `Alert above ${formatC(device.thresholdC)}`),
      ),
      h('p', { class: 'device-location' }, device.location),
      h(
        'p',
        { class: 'device-meta' },
        `Added ${day.format(new Date(device.createdAt))}`,
        day.format(new Date(device.updatedAt)) !== day.format(new Date(device.createdAt)) &&
          ` · Updated ${day.format(new Date(device.updatedAt))}`,
      ),
      body,
    );

    const showActions = () => {
      const editButton = h('button', { type: 'button', class: 'button small' }, 'Edit threshold');
      editButton.addEventListener('click', showEditor);
      const tokenButton = h(
        'button',
        { type: 'button', class: 'button small' },
        issued.has(device.deviceId) ? 'Rotate token' : 'Issue token',
      );
      tokenButton.addEventListener('click', () => void issueToken());
      const deleteButton = h('button', { type: 'button', class: 'button small danger-quiet' }, 'Delete');
      deleteButton.addEventListener('click', () => void remove());
      body.replaceChildren(h('div', { class: 'device-actions' }, editButton, tokenButton, deleteButton));
      return editButton;
    };

    const showEditor = () => {
      const form = createForm({
        label: `Alert threshold of ${device.name}`,
        class: 'form-inline',
        fields: [thresholdField(device.thresholdC)],
        submitLabel: 'Save',
        busyLabel: 'Saving…',
        actions: h(
          'button',
          { type: 'button', class: 'button', onclick: () => showActions().focus() },
          'Cancel',
        ),
        onSubmit: async ({ thresholdC = '' }) => {
          const updated = await context.api.updateThreshold(device.deviceId, Number(thresholdC));
          replace(updated);
          toast(`Alert threshold of ${updated.name} set to ${formatC(updated.thresholdC)}`);
        },
      });
      body.replaceChildren(form.element);
      form.fields.get('thresholdC')?.input.select();
    };

    const issueToken = async () => {
      const rotating = issued.has(device.deviceId);
      let token = '';
      const done = await confirmAction({
        title: rotating ? `Rotate the token of ${device.name}?` : `Issue a token for ${device.name}?`,
        message: h(
          'p',
          {},
          'The thermostat presents this token when it sends its readings. ',
          h('strong', {}, 'Any token issued earlier for this device stops working at once.'),
        ),
        confirmLabel: rotating ? 'Rotate token' : 'Issue token',
        busyLabel: 'Issuing…',
        action: async () => {
          token = (await context.api.issueDeviceToken(device.deviceId)).token;
        },
      });
      if (!done) return;
      issued.add(device.deviceId);
      const inputId = uniqueId('token');
      // A text area, so that the whole token shows, wrapped, on a phone too.
      const input = h('textarea', {
        id: inputId,
        class: 'mono token',
        readonly: true,
        rows: 3,
        spellcheck: 'false',
      });
      input.value = token;
      const close = h('button', { type: 'button', class: 'button' }, 'Done');
      close.addEventListener('click', () => showActions().focus());
      body.replaceChildren(
        h(
          'div',
          { class: 'token-panel' },
          h('label', { for: inputId }, 'Device token'),
          h(
            'div',
            { class: 'token-row' },
            input,
            copyButton(() => token),
          ),
          h(
            'p',
            { class: 'hint' },
            h('strong', {}, 'Copy it now: it is shown only once. '),
            'Configure the thermostat with it; issue a new one if it is lost.',
          ),
          h('div', { class: 'form-actions' }, close),
        ),
      );
      input.focus();
      input.select();
    };

    const remove = async () => {
      const deleted = await confirmAction({
        title: `Delete ${device.name}?`,
        message: h(
          'p',
          {},
          `${device.name} (${device.location}) and its device token are deleted. `,
          'The thermostat can no longer send readings. This cannot be undone.',
        ),
        confirmLabel: 'Delete device',
        busyLabel: 'Deleting…',
        danger: true,
        action: () => context.api.deleteDevice(device.deviceId),
      });
      if (!deleted) return;
      devices = devices.filter((candidate) => candidate.deviceId !== device.deviceId);
      render();
      toast(`${device.name} deleted`);
    };

    showActions();
    return card;
  }

  addButton.addEventListener('click', openAddPanel);
  load();
  return pageLayout(context.flash, 'Devices', addButton, addPanel, list);
};
