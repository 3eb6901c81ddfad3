import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import { taskScheduler } from '../composition';

const scheduler = taskScheduler();

// Every 5 minutes (EventBridge): the due tasks fan out to the executors' queue. OverdueTasks feeds the
// alarm on a due task that has not run; the alarm on this function's own invocations catches the
// scheduler itself stopping (Ops Automator's #24: the whole solution stopped silently).
export const handler = instrumented(
  async () => {
    const { dispatched, overdue } = await scheduler.tick();
    metrics.addMetric('TasksDispatched', MetricUnit.Count, dispatched.length);
    metrics.addMetric('OverdueTasks', MetricUnit.Count, overdue.length);
    for (const run of dispatched) logger.info('task dispatched', { ...run });
    if (overdue.length > 0) logger.warn('due tasks have not run', { overdue });
    return { dispatched: dispatched.map((run) => run.runId), overdue };
  },
  { correlationIdPath: correlationPaths.eventBridge },
);
