// Events and records that cross a service boundary: the producer and every consumer import these.
export * from './catalog';
export * from './clicks';
export * from './devices';
export * from './jobs';
export * from './telemetry';
