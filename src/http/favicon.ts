import { Hono } from 'hono';
import { FAVICON_SVG } from './pages.ts';

/** The site icon at the two paths browsers ask for, so page loads never log a 404. */
export function createFaviconRoutes(): Hono {
  const app = new Hono();
  const icon = () =>
    new Response(FAVICON_SVG, {
      headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' },
    });
  app.get('/favicon.svg', icon);
  app.get('/favicon.ico', icon);
  return app;
}
