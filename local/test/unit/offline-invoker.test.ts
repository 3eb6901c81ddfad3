import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createOfflineInvoker } from '../../src/lambda/offline-invoker';

describe("offline invoker (the Lambda Invoke API of each service's serverless-offline)", () => {
  it('sends the event whole with its payload declared unsigned, and reads the answer', async () => {
    // Prepare: a Lambda Invoke endpoint that keeps what it was sent.
    let seen: { headers: IncomingHttpHeaders; url?: string; body: string } | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen = { headers: request.headers, url: request.url, body: Buffer.concat(chunks).toString() };
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"batchItemFailures":[]}');
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const returned: string[] = [];
    const invoker = createOfflineInvoker(
      () => endpoint,
      (name) => returned.push(name),
    );
    const event = { Records: [{ kinesis: { data: Buffer.alloc(100_000, 'x').toString('base64') } }] };

    try {
      // Act
      const result = await invoker.invoke('aggregateTelemetry', event);

      // Assess
      expect(result.payload).to.deep.equal({ batchItemFailures: [] });
      expect(seen?.url).to.match(/\/functions\/aggregateTelemetry\/invocations/);
      expect(JSON.parse(seen?.body ?? '')).to.deep.equal(event);
      expect(seen?.headers['x-amz-content-sha256']).to.equal('UNSIGNED-PAYLOAD');
      expect(seen?.headers.authorization).to.match(/^AWS4-HMAC-SHA256 /);
      expect(returned).to.deep.equal(['aggregateTelemetry']);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });
});
