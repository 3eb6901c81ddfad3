import { type AwsClients, awsClients } from './clients';
import { type TestCloud, useLocalCloud, willUseLocalCloud } from './harness';

/** Start-up of a whole cloud on a busy two-core machine: packaging every service is most of it. */
const START_TIMEOUT_MS = 300_000;

export interface LocalCloudSuite {
  /** The run's local cloud; read it inside a test or hook. */
  readonly cloud: TestCloud;
  /** SDK clients pointed at it, destroyed after the suite. */
  readonly aws: AwsClients;
}

/**
 * The set-up every integration suite shares, called in its `describe`: the run's local cloud
 * (started as the run begins, stopped by the root hooks) and SDK clients for it.
 */
export function localCloudSuite(): LocalCloudSuite {
  willUseLocalCloud();
  let cloud: TestCloud | undefined;
  let aws: AwsClients | undefined;
  before(async function () {
    this.timeout(START_TIMEOUT_MS);
    cloud = await useLocalCloud();
    aws = awsClients(cloud.description);
  });
  after(() => aws?.destroy());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the local cloud is not started yet: read it inside a test or hook');
    return value;
  };
  return {
    get cloud() {
      return started(cloud);
    },
    get aws() {
      return started(aws);
    },
  };
}
