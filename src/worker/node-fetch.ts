/**
 * Stands in for `node-fetch` in the Worker bundle (wrangler.toml `[alias]`): citation-js imports it for
 * fetching remote citation sources, which this service never does, and in a Worker the platform's own
 * fetch serves anyway. The real package reaches Node built-ins that Workers lack.
 */
export default globalThis.fetch;
export const Headers = globalThis.Headers;
export const Request = globalThis.Request;
export const Response = globalThis.Response;
