export * from './catalog';
export * from './click-event';
export * from './common';
export * from './device';
export * from './image';
export * from './ops';
export * from './telemetry';
