export interface SettingsIssue {
  /** The property path in the resource's Properties, e.g. `FilterCriteria.Filters.0.Pattern`. */
  path: string;
  message: string;
}

// Names are string literals rather than `new.target.name` because bundling with minification renames classes.
export class EventSourceMappingError extends Error {
  override readonly name: string = 'EventSourceMappingError';
}

export class InvalidEventSourceMappingError extends EventSourceMappingError {
  override readonly name: string = 'InvalidEventSourceMappingError';
  readonly issues: readonly SettingsIssue[];

  constructor(message: string, issues: readonly SettingsIssue[], options?: ErrorOptions) {
    super(message, options);
    this.issues = issues;
  }
}
