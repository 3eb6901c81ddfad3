import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

// Who can reach a port: what the kernel says it listens on, and what a connection from the machine's
// other addresses (as someone on the network would make) gets.

/** The machine's addresses other than loopback; link-local IPv6 is left out (it needs a scope). */
export const OTHER_ADDRESSES: readonly string[] = Object.values(networkInterfaces())
  .flat()
  .filter((address) => address !== undefined && !address.internal && !address.address.startsWith('fe80:'))
  .map((address) => address?.address as string);

/** For a test title: why only ss checks the binding on this machine. */
export const NO_OTHER_ADDRESS = 'this machine has no address but loopback: checked with ss only';

/** The addresses that mean loopback in `ss -ltn`'s Local Address column. */
export const LOOPBACK_ADDRESSES: readonly string[] = ['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]'];

/** Whether a TCP connection to host:port is accepted. */
export const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    const settle = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });

/** The local addresses the kernel lists as listening on `port` (ss -ltn): '[::ffff:127.0.0.1]', '*'. */
export async function listeningAddresses(port: number): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ss', ['-ltnH', `sport = :${port}`]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.trim().split(/\s+/)[3] ?? '').replace(new RegExp(`:${port}$`), ''));
}
