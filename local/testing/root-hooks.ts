import { isPortOpen } from '../src/emulators/emulator';
import { isRunning, startedPids, startedPorts, startLocalCloudIfWanted, stopLocalCloud } from './harness';

// Loaded by .mocharc.json: the local cloud starts as the run begins when a suite said it will use it
// (willUseLocalCloud), is stopped once the whole run ends, and the run fails if anything it started
// is still running or listening.
export const mochaHooks = {
  beforeAll() {
    startLocalCloudIfWanted();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopLocalCloud();
    const running = startedPids.filter(isRunning);
    const listening = [];
    for (const port of startedPorts) if (await isPortOpen(port)) listening.push(port);
    if (running.length > 0 || listening.length > 0) {
      throw new Error(
        `the local cloud left processes ${running.join(', ')} and ports ${listening.join(', ')} behind`,
      );
    }
  },
};
