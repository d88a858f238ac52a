import { Agent, request } from 'node:http';

/** A keep-alive POST with a prebuilt body: the cheapest way Node can make one HTTP request. */
export interface RawPoster {
  post(path: string, body: string, headers?: Record<string, string>): Promise<number>;
  close(): void;
}

/** Posts to `baseUrl` (http only) over one kept-alive socket, reading each reply in full. */
export function rawPoster(baseUrl: string): RawPoster {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    post: (path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path,
            headers: { 'content-length': Buffer.byteLength(body), ...headers },
          },
          (res) => {
            res.on('data', () => {});
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
