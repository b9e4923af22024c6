import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundleWidget } from '../widget/bundle.node.ts';
import type { StaticAssets } from './pages.ts';

/** Loads what the browser pages need: the bundled widget and Swagger UI's files (served locally, no CDN). */
export async function loadAssets(): Promise<StaticAssets> {
  const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const [widget, swaggerCss, swaggerBundle] = await Promise.all([
    bundleWidget(),
    readFile(join(swagger, 'swagger-ui.css'), 'utf8'),
    readFile(join(swagger, 'swagger-ui-bundle.js'), 'utf8'),
  ]);
  return { widget, swaggerCss, swaggerBundle };
}
