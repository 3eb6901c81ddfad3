/**
 * Execution history as GetExecutionHistory returns it, built from aws-local-stepfunctions' event log
 * (states entered and exited, Map iterations, the execution's end) and from the Lambda tasks' own
 * events. Event types and detail fields follow the API reference:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */

/** One event before it has an id and a time: its `type` and its `<type>EventDetails` member. */
export type HistoryEventInput = { type: string } & Record<string, unknown>;

export type HistoryEvent = HistoryEventInput & { id: number; previousEventId: number; timestamp: Date };

/** The subset of aws-local-stepfunctions' EventLog that the mapping reads. */
export interface LibraryEvent {
  type: string;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  index?: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
}

export function createHistory(clock: () => Date = () => new Date()) {
  const events: HistoryEvent[] = [];
  return {
    record(event: HistoryEventInput): void {
      // Events here form one sequence; AWS points previousEventId at the causing event, which for
      // a sequential execution is the one before.
      events.push({ ...event, id: events.length + 1, previousEventId: events.length, timestamp: clock() });
    },
    events(): readonly HistoryEvent[] {
      return events;
    },
  };
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const causeText = (cause: unknown) => (typeof cause === 'string' ? cause : json(cause));

/**
 * Maps the library's events to AWS's. Stateful only to tell a state that exits after a caught error
 * (no "Succeeded" event for it) from one that succeeded. The distributed Maps (run by the library
 * as Tasks, see definition.ts) are named as the Map states they are.
 */
export function createHistoryMapper(distributedMaps: ReadonlySet<string> = new Set()) {
  const caught = new Set<string>();
  return (event: LibraryEvent): HistoryEventInput[] => {
    const state =
      event.state !== undefined && distributedMaps.has(event.state.name)
        ? { ...event.state, type: 'Map' }
        : event.state;
    switch (event.type) {
      case 'ExecutionSucceeded':
        return [
          {
            type: 'ExecutionSucceeded',
            executionSucceededEventDetails: {
              output: json(event.output),
              outputDetails: { truncated: false },
            },
          },
        ];
      case 'ExecutionFailed':
        return [
          {
            type: 'ExecutionFailed',
            executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) },
          },
        ];
      case 'ExecutionAborted':
        return [{ type: 'ExecutionAborted', executionAbortedEventDetails: {} }];
      case 'ExecutionTimeout':
        return [{ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } }];
      case 'StateEntered': {
        if (state === undefined) return [];
        const entered: HistoryEventInput = {
          type: `${state.type}StateEntered`,
          stateEnteredEventDetails: {
            name: state.name,
            input: json(state.input),
            inputDetails: { truncated: false },
          },
        };
        if (state.type === 'Parallel') return [entered, { type: 'ParallelStateStarted' }];
        if (state.type === 'Map')
          return [entered, { type: 'MapStateStarted', mapStateStartedEventDetails: {} }];
        return [entered];
      }
      case 'StateExited': {
        if (state === undefined) return [];
        const key = `${state.name}#${event.index ?? ''}`;
        const wasCaught = caught.delete(key);
        const exited: HistoryEventInput = {
          type: `${state.type}StateExited`,
          stateExitedEventDetails: {
            name: state.name,
            output: json(state.output),
            outputDetails: { truncated: false },
          },
        };
        if (!wasCaught && (state.type === 'Parallel' || state.type === 'Map'))
          return [{ type: `${state.type}StateSucceeded` }, exited];
        return [exited];
      }
      case 'StateFailed':
        if (state?.type === 'Parallel' || state?.type === 'Map')
          return [{ type: `${state.type}StateFailed` }];
        // A Task's failure is already in the history (TaskFailed, LambdaFunctionFailed...).
        return [];
      case 'StateCaught':
        if (state) caught.add(`${state.name}#${event.index ?? ''}`);
        return [];
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
        return [{ type: event.type, [detailsKey]: { name: event.parentState?.name, index: event.index } }];
      }
      default:
        // ExecutionStarted is recorded by the execution itself (it knows the role); StateRetried and
        // the Parallel branch events have no counterpart in AWS's history.
        return [];
    }
  };
}
