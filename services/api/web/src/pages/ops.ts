import type { OpsFinding, OpsRunDetail, OpsRunSummary, OpsTask } from '../api';
import { h, setChildren } from '../dom';
import type { Page } from '../page';
import { alertBox, busy, describeError, loading, pageLayout, toast } from '../ui';

/**
 * Operations (#/ops, admins only; ops's API under /ops): the scheduled tasks with a "Run now" button,
 * the latest runs with each resource's outcome (and why a tagged-looking resource was skipped), and the
 * security guard's findings.
 */

const table = (label: string, head: string[], rows: (string | HTMLElement)[][]) =>
  h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label },
    h(
      'table',
      { class: 'result-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell) => h('td', {}, cell)),
          ),
        ),
      ),
    ),
  );

const describeRetention = (task: OpsTask) =>
  task.retention === undefined
    ? '—'
    : [
        task.retention.count === undefined ? '' : `${task.retention.count} newest`,
        task.retention.days === undefined ? '' : `${task.retention.days} days`,
      ]
        .filter(Boolean)
        .join(', ');

export const opsPage: Page = (context) => {
  const tasksCard = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ops-tasks' },
    h('h2', { id: 'ops-tasks' }, 'Tasks'),
    loading('Loading tasks'),
  );
  const runsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ops-runs' },
    h('h2', { id: 'ops-runs' }, 'Runs'),
    loading('Loading runs'),
  );
  const runCard = h('section', { class: 'card', 'aria-live': 'polite' });
  const findingsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ops-findings' },
    h('h2', { id: 'ops-findings' }, 'Security findings'),
    loading('Loading findings'),
  );
  const failed = (card: HTMLElement, title: string, error: unknown) =>
    setChildren(card, h('h2', {}, title), alertBox('error', describeError(error).message));

  const showRun = async (runId: string) => {
    setChildren(runCard, loading('Loading the run'));
    try {
      const detail: OpsRunDetail = await context.api.getOpsRun(runId, context.signal);
      setChildren(
        runCard,
        h('h2', {}, `Run ${runId}`),
        table(
          'Targets',
          ['Account', 'Region', 'Status', 'Created', 'Deleted', 'Error'],
          detail.targets.map((target) => [
            target.accountId,
            target.target.region,
            target.status,
            String(target.created),
            String(target.deleted),
            target.error ?? '',
          ]),
        ),
        detail.resources.length === 0
          ? h('p', { class: 'hint' }, 'No resource was selected, skipped or changed.')
          : table(
              'Resources',
              ['Account', 'Region', 'Resource', 'Action', 'Outcome', 'Why'],
              detail.resources.map((resource) => [
                resource.accountId,
                resource.region,
                h('span', { class: 'mono' }, resource.resourceId),
                resource.action,
                resource.outcome,
                resource.error ?? resource.reason ?? '',
              ]),
            ),
      );
    } catch (error) {
      failed(runCard, 'Run', error);
    }
  };

  const loadRuns = async () => {
    try {
      const { runs } = await context.api.listOpsRuns(context.signal);
      setChildren(
        runsCard,
        h('h2', { id: 'ops-runs' }, 'Runs'),
        runs.length === 0
          ? h('p', {}, 'No run yet.')
          : table(
              'Runs',
              ['Started', 'Task', 'Trigger', 'Targets', 'Dry run', ''],
              runs.map((run: OpsRunSummary) => {
                const open = h('button', { type: 'button', class: 'button' }, 'Outcomes');
                open.addEventListener('click', () => void showRun(run.runId));
                return [
                  run.startedAt,
                  run.taskName,
                  run.trigger,
                  String(run.targets),
                  run.dryRun ? 'yes' : 'no',
                  open,
                ];
              }),
            ),
      );
    } catch (error) {
      failed(runsCard, 'Runs', error);
    }
  };

  const loadTasks = async () => {
    try {
      const { tasks } = await context.api.listOpsTasks(context.signal);
      setChildren(
        tasksCard,
        h('h2', { id: 'ops-tasks' }, 'Tasks'),
        tasks.length === 0
          ? h('p', {}, 'No task yet: PUT /ops/tasks/{name}, or npm run ops:seed locally.')
          : table(
              'Tasks',
              ['Name', 'Action', 'Schedule (UTC)', 'Retention', 'Accounts', 'Regions', 'Enabled', ''],
              tasks.map((task) => {
                const run = h('button', { type: 'button', class: 'button primary' }, 'Run now');
                run.addEventListener('click', async () => {
                  const done = busy(run, 'Starting…');
                  try {
                    const started = await context.api.runOpsTask(task.name);
                    toast(`Run ${started.run.runId} started in ${started.run.targets} places.`);
                    await loadRuns();
                  } catch (error) {
                    toast(describeError(error).message);
                  } finally {
                    done();
                  }
                });
                return [
                  task.name,
                  task.action,
                  h('span', { class: 'mono' }, task.schedule),
                  describeRetention(task),
                  task.accounts.map((arn) => arn.split(':')[4]).join(', '),
                  task.regions.join(', '),
                  task.enabled ? (task.dryRun ? 'dry run' : 'yes') : 'no',
                  run,
                ];
              }),
            ),
      );
    } catch (error) {
      failed(tasksCard, 'Tasks', error);
    }
  };

  const loadFindings = async () => {
    try {
      const { findings } = await context.api.listOpsFindings(context.signal);
      setChildren(
        findingsCard,
        h('h2', { id: 'ops-findings' }, 'Security findings'),
        findings.length === 0
          ? h('p', {}, 'No world-open rule found.')
          : table(
              'Security findings',
              ['Detected', 'Group', 'Rule', 'Action', 'Why'],
              findings.map((finding: OpsFinding) => [
                finding.detectedAt,
                h('span', { class: 'mono' }, finding.groupId),
                h('span', { class: 'mono' }, finding.ruleId ?? ''),
                finding.action,
                finding.reason,
              ]),
            ),
      );
    } catch (error) {
      failed(findingsCard, 'Security findings', error);
    }
  };

  void Promise.all([loadTasks(), loadRuns(), loadFindings()]);
  return pageLayout(context.flash, 'Operations', undefined, tasksCard, runsCard, runCard, findingsCard);
};
