import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex, Readable } from 'node:stream';

// The AWS SDK's KinesisClient speaks HTTP/2 by default (NodeHttp2Handler, for SubscribeToShard's event
// stream): against an http:// endpoint it opens an h2c connection "with prior knowledge", which starts
// with the client connection preface. kinesalite is an HTTP/1.1 server. This front reads the first
// bytes of each connection and hands it to an HTTP/2 server when they are the preface, else to the
// HTTP/1.1 server as it is; both end in kinesalite's one request handler, so the default client and a
// client given an HTTP/1.1 handler see the same streams.
// https://httpwg.org/specs/rfc9113.html#preface

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface Http2Front {
  /** The server that listens: one TCP port for both protocols. */
  server: NetServer;
  /** Stops taking connections and ends those open, idle ones at once, the others after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Whether the bytes read so far are the preface, are not, or are too few to tell. */
export function prefaceVerdict(head: Buffer): 'http2' | 'http1' | 'undecided' {
  const length = Math.min(head.length, HTTP2_PREFACE.length);
  if (!head.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length))) return 'http1';
  return length === HTTP2_PREFACE.length ? 'http2' : 'undecided';
}

/** A front for `http1` (not listening itself) that also serves HTTP/2 requests with its handler. */
export function createHttp2Front(http1: Server): Http2Front {
  const [handler] = http1.listeners('request') as RequestListener[];
  if (handler === undefined) throw new TypeError('the HTTP/1.1 server has no request handler');
  // The compatibility API's request and response have the methods kinesalite uses (headers, method,
  // url, data events, setHeader, statusCode, end).
  const http2 = createHttp2Server((request, response) =>
    withWholeBody(request, (whole) => handler(whole, response as unknown as ServerResponse)),
  );
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  // HTTP/1.1 connections answering a request: closing waits for them (up to the grace), not for idle ones.
  const busy = new Set<Socket>();
  http1.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request;
    busy.add(socket);
    response.once('close', () => {
      busy.delete(socket);
      if (!server.listening) socket.destroy();
    });
  });
  http2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  const http2Sockets = new WeakSet<Socket>();
  const isHttp2 = (socket: Socket) => http2Sockets.has(socket);
  const route = (socket: Socket) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const verdict = prefaceVerdict(head);
      if (verdict === 'undecided') return;
      socket.off('data', onData);
      socket.pause();
      if (verdict === 'http2') {
        http2Sockets.add(socket);
        http2.emit('connection', withHead(socket, head));
      } else {
        // The HTTP/1.1 parser reads what is unshifted before it reads the socket again.
        socket.unshift(head);
        http1.emit('connection', socket);
      }
      socket.resume();
    };
    socket.on('data', onData);
  };

  // No Nagle: an HTTP/2 client sends a large body only as fast as the server's small WINDOW_UPDATE frames
  // come back, and Nagle held each until the client's delayed ACK (a 3 MB PutRecords took 3.9 s, 0.2 s now).
  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    route(socket);
  });

  return {
    server,
    close: (graceMs) =>
      new Promise<void>((done) => {
        if (!server.listening) {
          done();
          return;
        }
        const force = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        server.close(() => {
          clearTimeout(force);
          done();
        });
        for (const session of sessions) session.close();
        for (const socket of sockets) if (!busy.has(socket) && !isHttp2(socket)) socket.destroy();
      }),
  };
}

/**
 * The request handed on once its whole body has arrived, as one chunk (so kinesalite's own 7 MB limit is
 * now checked after the body is in memory, not as it grows). kinesalite grows a body with
 * Buffer.concat on every chunk, and an HTTP/2 body comes in DATA frames of 16 KB: a 3 MB PutRecords of
 * KPL records copied about 300 MB (1.6 s of the local cloud's CPU over the telemetry bench).
 */
function withWholeBody(
  request: Readable & Pick<IncomingMessage, 'headers' | 'method' | 'url'>,
  then: (whole: IncomingMessage) => void,
): void {
  const chunks: Buffer[] = [];
  // A client that goes away mid-body leaves nothing to answer.
  request.once('error', () => undefined);
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', () => {
    const { headers, method, url } = request;
    const body = Readable.from(chunks.length === 0 ? [] : [Buffer.concat(chunks)]);
    then(Object.assign(body, { headers, method, url }) as unknown as IncomingMessage);
  });
}

/**
 * The socket as a stream that first yields the bytes already read. An HTTP/2 session reads a net socket
 * through its native handle and would miss them (the preface: "bad client magic"); on any other duplex
 * it reads through the stream, so it sees them.
 */
function withHead(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (chunk: Buffer, _encoding, written) => {
      socket.write(chunk, written);
    },
    // The HTTP/2 session hands over a response as many frames at once (through a corked write): one
    // vectored write to the socket for them all, not a system call per frame. A 5,000-record GetRecords
    // is about a hundred frames, and the writes were 1.1 s of kinesis's CPU over the telemetry bench.
    writev: (chunks, written) => {
      socket.cork();
      for (const [index, { chunk }] of chunks.entries())
        socket.write(chunk as Buffer, index === chunks.length - 1 ? written : undefined);
      socket.uncork();
    },
    final: (ended) => {
      socket.end(ended);
    },
    destroy: (error, destroyed) => {
      socket.destroy(error ?? undefined);
      destroyed(error);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  return stream;
}
