import { expect } from 'chai';
import { eventBridgeEvent, scheduledEvent } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample('cloudwatch-scheduled-event');

describe('testing: EventBridge events', () => {
  it('are the scheduled event sample by default', () => {
    expect(fieldPaths(eventBridgeEvent())).to.deep.equal(fieldPaths(sample));
    expect(fieldPaths(scheduledEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(eventBridgeEvent())).to.deep.equal(sample);
    expect(asDelivered(scheduledEvent())).to.deep.equal(sample);
  });

  it('carries the detail type, source and detail a test names, typed', () => {
    const event = eventBridgeEvent({
      detailType: 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      detail: { eventName: 'AuthorizeSecurityGroupIngress' },
      resources: [],
    });

    const eventName: string = event.detail.eventName;
    expect(eventName).to.equal('AuthorizeSecurityGroupIngress');
    expect(event).to.include({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2' });
    expect(event.resources).to.deep.equal([]);
  });

  it('writes the time to the second, as EventBridge does', () => {
    const event = scheduledEvent({ time: new Date('2026-03-01T10:00:00.900Z') });

    expect(event.time).to.equal('2026-03-01T10:00:00Z');
  });

  it('names the rule, account and region of a schedule', () => {
    const rule = 'arn:aws:events:eu-west-1:210987654321:rule/nightly-snapshots';

    const event = scheduledEvent({
      resources: [rule],
      account: '210987654321',
      region: 'eu-west-1',
      id: 'e-1',
    });

    expect(event).to.deep.include({
      id: 'e-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '210987654321',
      region: 'eu-west-1',
      resources: [rule],
      detail: {},
    });
  });
});
