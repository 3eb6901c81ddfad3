import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// CloudTrail's real records (test/fixtures/cloudtrail, SOURCES.md says where each comes from): a bare
// record, or a record in its EventBridge envelope (-wrapped, -eventbridge).

const FIXTURES = join(__dirname, '..', 'fixtures', 'cloudtrail');

export function sample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;
}

/** The CloudTrail record of a sample, whether it is bare or in its EventBridge envelope. */
export function sampleDetail(file: string): Record<string, unknown> {
  const parsed = sample(file);
  return 'detail' in parsed ? (parsed.detail as Record<string, unknown>) : parsed;
}
