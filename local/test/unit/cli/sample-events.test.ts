import { expect } from 'chai';
import { SAMPLE_EVENTS, sampleEvent } from '../../../src/cli/sample-events';

type Json = Record<string, unknown> & { Records?: Record<string, unknown>[] };

describe('npm run event: sample events', () => {
  it('builds every source and type it lists, as JSON', () => {
    for (const [source, types] of Object.entries(SAMPLE_EVENTS))
      for (const type of Object.keys(types)) {
        const printed = JSON.stringify(sampleEvent(source, type));
        expect(JSON.parse(printed), `${source} ${type}`).to.be.an('object').that.is.not.empty;
      }
  });

  it('puts the bucket and key into an S3 event, and knows a delete from a put', () => {
    const put = sampleEvent('s3', 'put', { bucket: 'lake', key: 'raw/clicks/a.json' }) as Json;
    const removed = sampleEvent('s3', 'delete', { key: 'raw/clicks/a.json' }) as Json;

    expect(put.Records?.[0]).to.deep.include({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' });
    expect(JSON.stringify(put)).to.include('"name":"lake"').and.include('"key":"raw/clicks/a.json"');
    expect(removed.Records?.[0]).to.include({ eventName: 'ObjectRemoved:Delete' });
  });

  it('encodes a Kinesis body as base64 data on the named stream, and parses a JSON body', () => {
    const event = sampleEvent('kinesis', 'record', {
      stream: 'telemetry',
      body: '{"deviceId":"d-1"}',
    }) as Json;
    const record = event.Records?.[0] as { kinesis: { data: string }; eventSourceARN: string };

    expect(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))).to.deep.equal({
      deviceId: 'd-1',
    });
    expect(record.eventSourceARN).to.equal('arn:aws:kinesis:us-east-1:123456789012:stream/telemetry');
  });

  it('shapes an API Gateway request and a CloudTrail call as AWS delivers them', () => {
    const request = sampleEvent('apigateway', 'proxy', {
      method: 'post',
      path: '/devices',
      body: '{"a":1}',
    }) as Json;
    const call = sampleEvent('eventbridge', 'cloudtrail') as Json & { detail: Record<string, unknown> };

    expect(request).to.include({ httpMethod: 'POST', path: '/devices', body: '{"a":1}' });
    expect(call).to.include({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2' });
    expect(call.detail).to.include({
      eventName: 'AuthorizeSecurityGroupIngress',
      eventSource: 'ec2.amazonaws.com',
    });
  });

  it('names what exists when a source or a type is unknown', () => {
    expect(() => sampleEvent('kafka', 'record')).to.throw(/unknown source 'kafka'; sources: s3, kinesis/);
    expect(() => sampleEvent('s3', 'copy')).to.throw(/unknown s3 type 'copy'; types: put, delete/);
  });
});
