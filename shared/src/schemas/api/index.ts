// Request and response bodies of the services' HTTP APIs, shared with the portal (types only there).
export * from './catalog';
export * from './clicks';
export * from './devices';
export * from './images';
export * from './jobs';
export * from './ops';
export * from './telemetry';
