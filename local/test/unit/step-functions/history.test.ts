import { expect } from 'chai';
import {
  createHistory,
  createHistoryMapper,
  type LibraryEvent,
} from '../../../src/emulators/step-functions/history';

const state = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  input: {},
  ...extra,
});

describe('step functions: execution history', () => {
  it("maps the library's events to AWS's event types and details", () => {
    const map = createHistoryMapper();
    const events: LibraryEvent[] = [
      { type: 'StateEntered', state: state('Route', 'Choice') },
      { type: 'StateExited', state: state('Route', 'Choice', { output: { mode: 'map' } }) },
      { type: 'StateEntered', state: state('Each', 'Map') },
      { type: 'MapIterationStarted', parentState: state('Each', 'Map'), index: 0 },
      { type: 'StateEntered', state: state('Double', 'Task'), index: 0 },
      { type: 'StateExited', state: state('Double', 'Task', { output: 2 }), index: 0 },
      { type: 'MapIterationSucceeded', parentState: state('Each', 'Map'), index: 0 },
      { type: 'StateExited', state: state('Each', 'Map', { output: [2] }) },
      { type: 'ExecutionSucceeded', output: [2] },
    ];

    const mapped = events.flatMap(map);

    expect(mapped.map((event) => event.type)).to.deep.equal([
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(mapped[1]?.stateExitedEventDetails).to.deep.equal({
      name: 'Route',
      output: '{"mode":"map"}',
      outputDetails: { truncated: false },
    });
    expect(mapped[4]?.mapIterationStartedEventDetails).to.deep.equal({ name: 'Each', index: 0 });
    expect(mapped.at(-1)?.executionSucceededEventDetails).to.deep.equal({
      output: '[2]',
      outputDetails: { truncated: false },
    });
  });

  it('a Parallel state that failed and was caught exits without a Succeeded event', () => {
    const map = createHistoryMapper();
    const events: LibraryEvent[] = [
      { type: 'StateEntered', state: state('Fan', 'Parallel') },
      { type: 'StateFailed', state: state('Fan', 'Parallel'), Error: 'Boom', Cause: 'x' },
      { type: 'StateCaught', state: state('Fan', 'Parallel') },
      { type: 'StateExited', state: state('Fan', 'Parallel', { output: {} }) },
      { type: 'ExecutionFailed', Error: 'Later', Cause: { not: 'a string' } },
    ];

    const mapped = events.flatMap(map);

    expect(mapped.map((event) => event.type)).to.deep.equal([
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateFailed',
      'ParallelStateExited',
      'ExecutionFailed',
    ]);
    expect(mapped.at(-1)?.executionFailedEventDetails).to.deep.equal({
      error: 'Later',
      cause: '{"not":"a string"}',
    });
  });

  it('numbers events in order, each pointing at the one before', () => {
    const history = createHistory(() => new Date('2026-03-10T08:00:00Z'));
    history.record({ type: 'ExecutionStarted' });
    history.record({ type: 'PassStateEntered' });

    expect(
      history.events().map(({ id, previousEventId, type }) => ({ id, previousEventId, type })),
    ).to.deep.equal([
      { id: 1, previousEventId: 0, type: 'ExecutionStarted' },
      { id: 2, previousEventId: 1, type: 'PassStateEntered' },
    ]);
  });
});
