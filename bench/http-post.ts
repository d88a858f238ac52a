import { Agent, request } from 'node:http';

/**
 * Keep-alive POSTs of prebuilt bodies to `baseUrl` (http only) over one socket, each reply read
 * in full and its status returned: the cheapest way Node can make one HTTP request.
 */
export function rawPoster(baseUrl: string) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    post: (path: string, body: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path,
            headers: { 'content-length': Buffer.byteLength(body), ...headers },
          },
          (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
