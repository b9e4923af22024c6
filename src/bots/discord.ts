import { AppError } from '../core/errors.ts';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented } from '../http/openapi.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { Converse } from './converse.ts';
import { clip, lowConfidence, passageLink } from './format.ts';
import { readVerified, type SignedRequest, signedRoute } from './payload.ts';
import type { ReplayGuard } from './replay.ts';
import { DiscordInteractionSchema, DiscordReplySchema } from './schemas.ts';
import { verifyDiscord } from './verify.ts';

/** Discord interactions endpoint: Ed25519-verified PINGs and slash commands, answered with embeds. */
export function createDiscordRoutes(
  converse: Converse,
  options: { publicKey: string; publicUrl?: string; now: () => number; replays: ReplayGuard },
) {
  const app = createOpenApiApp();
  const signed: SignedRequest = {
    platform: 'Discord',
    headers: { timestamp: 'x-signature-timestamp', signature: 'x-signature-ed25519' },
    verify: (headers, body) => verifyDiscord(options.publicKey, headers, body, options.now() / 1000),
    replays: options.replays,
  };
  documented(
    app,
    signedRoute(signed, {
      path: '/',
      operationId: 'botDiscord',
      summary: 'Discord interactions endpoint (Ed25519-signed PINGs and slash commands)',
      signatureExample: '<hex Ed25519 signature of timestamp + body>',
      body: {
        schema: DiscordInteractionSchema,
        example: {
          type: 2,
          channel_id: 'c1',
          member: { user: { id: 'u1' } },
          data: { options: [{ name: 'question', value: 'How are akims elected?' }] },
        },
      },
      reply: { description: 'PONG or the answer as embeds', schema: DiscordReplySchema },
    }),
    async (c) => {
      const body = await readVerified(c, signed);
      const interaction = parseWith(DiscordInteractionSchema, parseJson(body));
      if (interaction.type === 1) return c.json({ type: 1 });
      if (interaction.type !== 2)
        throw new AppError('INVALID_REQUEST', 'type: only PING (1) and APPLICATION_COMMAND (2) are handled');
      const option =
        interaction.data?.options?.find((o) => o.name === 'question') ?? interaction.data?.options?.[0];
      const text = typeof option?.value === 'string' ? option.value : '/help';
      const user = interaction.member?.user?.id ?? interaction.user?.id ?? '';
      const { result, reply } = await converse(`discord:${interaction.channel_id ?? ''}:${user}`, text);
      return c.json({ type: 4, data: discordMessage(result, reply, options.publicUrl) });
    },
  );
  return app;
}

/** Discord: one embed per passage (description ≤ 4096, total ≤ 6000 characters). */
function discordMessage(result: AskResult | undefined, reply: string | undefined, publicUrl?: string) {
  if (reply || !result) return { content: reply ?? '' };
  const embeds: unknown[] = [];
  let total = 0;
  for (const p of result.passages) {
    const title = clip(p.citation.label, 256);
    const description = clip(`“${p.quote.text}”`, 1500);
    if (total + title.length + description.length > 5500) break;
    total += title.length + description.length;
    const link = passageLink(publicUrl, p);
    embeds.push({ title, description, ...(link ? { url: link } : {}) });
  }
  return {
    content: lowConfidence(result) ?? (result.passages.length ? '' : 'No more passages.'),
    embeds,
  };
}
