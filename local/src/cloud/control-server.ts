import { createServer } from 'node:http';
import { closeHttpServer, findFreePort } from '../emulators/emulator';

export interface Controls {
  fireSchedule(service: string, functionKey: string): Promise<unknown>;
}

/** POST /schedules/<service>/<function> fires that function's schedule now (npm run trigger). */
export async function startControlServer(preferredPort: number | undefined, controls: Controls) {
  const server = createServer((request, response) => {
    const match = /^\/schedules\/([^/]+)\/([^/]+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || match?.[1] === undefined || match[2] === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    controls.fireSchedule(decodeURIComponent(match[1]), decodeURIComponent(match[2])).then(
      (result) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
      (error: unknown) =>
        response
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: String(error) })),
    );
  });
  const port = await findFreePort(preferredPort);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => closeHttpServer(server) };
}
