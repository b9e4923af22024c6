import type { Context } from 'hono';
import type { QaService } from '../../retrieve/types.ts';
import { createOpenApiApp, type Env } from '../openapi.ts';
import { DOCS_INIT, demoPage, docsPage, escapeHtml, passagePage, type StaticAssets } from '../pages.ts';

/** The browser side: the demo page, the widget script, shareable passage pages and the API docs. */
export function createPageRoutes(service: QaService, assets: StaticAssets) {
  const app = createOpenApiApp();
  const html = (c: Context<Env>, body: string, status: 200 | 404 = 200) => c.html(body, status);
  const script = { 'content-type': 'application/javascript; charset=utf-8' };

  app.get('/', (c) => {
    const h = service.health();
    return html(c, demoPage(h.documents, h.passages));
  });
  app.get('/widget.js', (c) =>
    c.body(assets.widget, 200, { ...script, 'cache-control': 'public, max-age=300' }),
  );
  app.get('/passages/:id', (c) => {
    const id = c.req.param('id');
    const context = service.getPassage(id);
    if (!context)
      return html(
        c,
        `<!doctype html><title>Not found</title><p>No passage with id ${escapeHtml(id)}.</p>`,
        404,
      );
    const start = Number(c.req.query('start'));
    const end = Number(c.req.query('end'));
    const highlight =
      Number.isFinite(start) && Number.isFinite(end) && end > start ? { start, end } : undefined;
    const previous = context.previousId ? service.getPassage(context.previousId)?.passage.text : undefined;
    const next = context.nextId ? service.getPassage(context.nextId)?.passage.text : undefined;
    return html(c, passagePage(context, { previous, next }, highlight));
  });
  app.get('/docs', (c) => html(c, docsPage()));
  app.get('/docs/init.js', (c) => c.body(DOCS_INIT, 200, script));
  app.get('/docs/swagger-ui.css', (c) =>
    c.body(assets.swaggerCss, 200, { 'content-type': 'text/css; charset=utf-8' }),
  );
  app.get('/docs/swagger-ui-bundle.js', (c) => c.body(assets.swaggerBundle, 200, script));
  return app;
}
