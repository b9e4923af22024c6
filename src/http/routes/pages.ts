import { z } from '@hono/zod-openapi';
import type { QaService } from '../../retrieve/types.ts';
import type { ExampleValues } from '../examples.ts';
import { respondWithPage } from '../middleware.ts';
import { createOpenApiApp, documented, errorResponses, textResponse } from '../openapi.ts';
import {
  DOCS_INIT,
  demoPage,
  docsPage,
  escapeHtml,
  FAVICON_SVG,
  passagePage,
  type StaticAssets,
} from '../pages.ts';

const HTML = 'text/html';
const SCRIPT = 'application/javascript';

/** The browser side: the demo page, the widget script, shareable passage pages and the API docs. */
export function createPageRoutes(service: QaService, assets: StaticAssets, examples: ExampleValues) {
  const app = createOpenApiApp();
  // A fresh headers object per response: on Node the adapter adds Content-Length to a response's own
  // headers object, so one shared between routes would carry another body's length.
  const script = () => ({ 'content-type': `${SCRIPT}; charset=utf-8` });
  const page = (path: string, operationId: string, summary: string, mediaType: string) => ({
    method: 'get' as const,
    path,
    operationId,
    summary,
    tags: ['pages'],
    responses: { ...textResponse(summary, mediaType), ...errorResponses(429) },
  });

  documented(app, page('/', 'demoPage', 'Demo page with the chat widget', HTML), (c) => {
    const h = service.health();
    return respondWithPage(c, demoPage(h.documents, h.passages, new URL(c.req.url).origin));
  });
  // The site icon at both paths browsers ask for, so no page load logs a 404.
  const icon = () => ({ 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  for (const [path, operationId] of [
    ['/favicon.svg', 'favicon'],
    ['/favicon.ico', 'faviconIco'],
  ] as const)
    documented(app, page(path, operationId, 'The site icon (SVG)', 'image/svg+xml'), (c) =>
      c.body(FAVICON_SVG, 200, icon()),
    );
  documented(app, page('/widget.js', 'widgetScript', 'The chat widget (one script tag)', SCRIPT), (c) =>
    c.body(assets.widget, 200, {
      ...script(),
      'cache-control': 'public, max-age=300',
      // Pages of other origins load it, some of them under `Cross-Origin-Embedder-Policy: require-corp`.
      'cross-origin-resource-policy': 'cross-origin',
    }),
  );
  const offset = (description: string) =>
    z
      .string()
      .max(20)
      .optional()
      .openapi({ description: `${description}; anything but an integer is ignored` });
  documented(
    app,
    {
      ...page('/passages/{id}', 'passagePage', 'A passage in its context, the quoted span highlighted', HTML),
      request: {
        params: z.object({
          id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: examples.passageId }),
        }),
        query: z.object({ start: offset('Start of the span to highlight'), end: offset('End of the span') }),
      },
      responses: {
        ...textResponse('The passage page', HTML),
        404: { description: 'No such passage', content: { [HTML]: { schema: z.string() } } },
        ...errorResponses(429),
      },
    },
    (c) => {
      const id = c.req.param('id') ?? '';
      const context = service.getPassage(id);
      if (!context)
        return respondWithPage(
          c,
          `<!doctype html><title>Not found</title><p>No passage with id ${escapeHtml(id)}.</p>`,
          404,
        );
      const start = Number(c.req.query('start'));
      const end = Number(c.req.query('end'));
      const highlight =
        Number.isFinite(start) && Number.isFinite(end) && end > start ? { start, end } : undefined;
      const previous = context.previousId ? service.getPassage(context.previousId)?.passage : undefined;
      const next = context.nextId ? service.getPassage(context.nextId)?.passage : undefined;
      const stored = service
        .getDocumentText(context.document.id)
        ?.text.slice(context.passage.start, context.passage.end);
      return respondWithPage(c, passagePage(context, { previous, next }, highlight, stored));
    },
  );
  documented(app, page('/docs', 'docsPage', 'API documentation (Swagger UI)', HTML), (c) =>
    respondWithPage(c, docsPage()),
  );
  documented(app, page('/docs/init.js', 'docsInit', 'Swagger UI start-up script', SCRIPT), (c) =>
    c.body(DOCS_INIT, 200, script()),
  );
  documented(app, page('/docs/swagger-ui.css', 'docsStyles', 'Swagger UI styles', 'text/css'), (c) =>
    c.body(assets.swaggerCss, 200, { 'content-type': 'text/css; charset=utf-8' }),
  );
  documented(app, page('/docs/swagger-ui-bundle.js', 'docsBundle', 'Swagger UI', SCRIPT), (c) =>
    c.body(assets.swaggerBundle, 200, script()),
  );
  return app;
}
