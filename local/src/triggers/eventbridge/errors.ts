/** Base of every error the local EventBridge raises, so that callers can tell them from their own. */
export class EventBridgeEmulationError extends Error {
  override readonly name: string = 'EventBridgeEmulationError';
}

/** An event pattern (or Lambda filter pattern) that EventBridge would refuse. */
export class InvalidEventPatternError extends EventBridgeEmulationError {
  override readonly name: string = 'InvalidEventPatternError';
}

/** A `rate(...)` or `cron(...)` expression that EventBridge would refuse. */
export class InvalidScheduleExpressionError extends EventBridgeEmulationError {
  override readonly name: string = 'InvalidScheduleExpressionError';
}

/** A rule name that no loaded rule has. */
export class UnknownRuleError extends EventBridgeEmulationError {
  override readonly name: string = 'UnknownRuleError';
}
