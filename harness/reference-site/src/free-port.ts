// A free TCP port on 127.0.0.1, for the built-in site and the harness tools that start one.
import net from 'node:net';

/** A port nothing listens on right now (the OS picks it; it is free again once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
