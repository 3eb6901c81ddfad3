import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Alert, Device, DeviceAggregates } from '../api';
import { h } from '../dom';
import type { Page } from '../page';
import { alertBox, describeError, loading, pageLayout } from '../ui';

/**
 * A thermostat's telemetry (clickstream's API, base path /clicks): its 1-minute averages over the last
 * hours as a live chart (uPlot) with the owner's threshold as a line, refreshed every 30 s, and the
 * owner's latest alerts.
 */

const REFRESH_MS = 30_000;
const HOURS = 3;
const temperature = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export const telemetryPage: Page = (context) => {
  const picker = h('select', { class: 'device-picker', 'aria-label': 'Device' });
  const chartArea = h('div', { class: 'telemetry-chart', 'aria-live': 'polite' });
  const alertsArea = h('section', { class: 'card telemetry-alerts', 'aria-live': 'polite' });
  let chart: uPlot | undefined;
  let devices: Device[] = [];

  const drawChart = ({ aggregates, thresholdC }: DeviceAggregates) => {
    chart?.destroy();
    chart = undefined;
    if (aggregates.length === 0) {
      chartArea.replaceChildren(
        h(
          'p',
          { class: 'empty' },
          'No readings in the last hours: the chart fills in as the device sends them.',
        ),
      );
      return;
    }
    const x = aggregates.map((aggregate) => Date.parse(aggregate.windowStart) / 1000);
    const averages = aggregates.map((aggregate) => aggregate.average);
    const threshold = aggregates.map(() => thresholdC ?? null);
    chartArea.replaceChildren();
    chart = new uPlot(
      {
        width: Math.max(320, chartArea.clientWidth || 720),
        height: 320,
        series: [
          {},
          {
            label: 'Average (°C)',
            stroke: '#1f6feb',
            width: 2,
            value: (_, v) => (v == null ? '' : temperature.format(v)),
          },
          { label: 'Threshold (°C)', stroke: '#d1242f', dash: [6, 4], width: 1.5 },
        ],
        axes: [{}, { label: '°C' }],
      },
      [x, averages, threshold],
      chartArea,
    );
  };

  const showAlerts = (alerts: Alert[]) => {
    const name = (deviceId: string) =>
      devices.find((device) => device.deviceId === deviceId)?.name ?? deviceId;
    alertsArea.replaceChildren(
      h('h2', {}, 'Alerts'),
      alerts.length === 0
        ? h('p', { class: 'empty' }, 'No alerts: every 1-minute average stayed at or below its threshold.')
        : h(
            'ul',
            { class: 'alert-list' },
            alerts.map((alert) =>
              h(
                'li',
                {},
                h('strong', {}, name(alert.deviceId)),
                ` ${temperature.format(alert.average)} °C above ${temperature.format(alert.thresholdC)} °C, `,
                h('time', { datetime: alert.windowStart }, time.format(new Date(alert.windowStart))),
              ),
            ),
          ),
    );
  };

  const refresh = async () => {
    const deviceId = picker.value;
    try {
      const from = new Date(Date.now() - HOURS * 3600_000).toISOString();
      const [series, alerts] = await Promise.all([
        deviceId === '' ? undefined : context.api.deviceAggregates(deviceId, from, context.signal),
        context.api.listAlerts(context.signal),
      ]);
      if (series) drawChart(series);
      showAlerts(alerts);
    } catch (error) {
      if (context.signal.aborted) return;
      chartArea.replaceChildren(
        alertBox('error', `The telemetry could not be loaded. ${describeError(error).message}`),
      );
    }
  };

  chartArea.replaceChildren(loading('Loading your devices…'));
  context.api.listDevices(context.signal).then(
    (found) => {
      devices = [...found].sort((a, b) => a.name.localeCompare(b.name));
      if (devices.length === 0) {
        chartArea.replaceChildren(
          h('p', { class: 'empty' }, 'Add a device first: its readings are charted here.'),
        );
        return;
      }
      picker.replaceChildren(
        ...devices.map((device) => h('option', { value: device.deviceId }, device.name)),
      );
      const wanted = context.params.get('device');
      if (wanted && devices.some((device) => device.deviceId === wanted)) picker.value = wanted;
      void refresh();
    },
    (error: unknown) => {
      if (!context.signal.aborted) chartArea.replaceChildren(alertBox('error', describeError(error).message));
    },
  );
  picker.addEventListener('change', () => void refresh());
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  context.signal.addEventListener('abort', () => {
    clearInterval(timer);
    chart?.destroy();
  });

  return pageLayout(
    context.flash,
    'Telemetry',
    picker,
    h('section', { class: 'card' }, h('h2', {}, `1-minute averages, last ${HOURS} hours`), chartArea),
    alertsArea,
  );
};
