import type { FailureDestination, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import type { SetTimer } from '../../../src/triggers/eventbridge/target-delivery';

interface FakeTimer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock and timers that move only when the test says so. */
export class FakeTime {
  private nowMs: number;
  private readonly timers: FakeTimer[] = [];
  /** The longest delay asked for, to check it stays within what Node's timers accept. */
  longestDelayMs = 0;

  constructor(start: string) {
    this.nowMs = Date.parse(start);
  }

  readonly clock = (): Date => new Date(this.nowMs);

  readonly setTimer: SetTimer = (callback, delayMs) => {
    this.longestDelayMs = Math.max(this.longestDelayMs, delayMs);
    const timer = { at: this.nowMs + delayMs, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  };

  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Runs, in time order, every timer due up to `time`, letting the promises they start settle in between. */
  async advanceTo(time: string): Promise<void> {
    const target = Date.parse(time);
    for (;;) {
      await settle();
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((left, right) => left.at - right.at)[0];
      if (due === undefined) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.callback();
    }
    this.nowMs = Math.max(this.nowMs, target);
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
}

export interface Invocation {
  functionName: string;
  payload: unknown;
}

/** Records invocations; `respond` decides each outcome (default: success). */
export class RecordingInvoker implements LambdaInvoker {
  readonly invocations: Invocation[] = [];
  respond: (invocation: Invocation) => InvokeResult | Promise<InvokeResult> = () => ({ payload: null });

  async invoke(functionName: string, payload: unknown): Promise<InvokeResult> {
    const invocation = { functionName, payload };
    this.invocations.push(invocation);
    return this.respond(invocation);
  }
}

export class RecordingDestination implements FailureDestination {
  readonly sent: Array<{ destinationArn: string; message: unknown }> = [];

  async send(destinationArn: string, message: unknown): Promise<void> {
    this.sent.push({ destinationArn, message });
  }
}
