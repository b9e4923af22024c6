import { AppError } from '../core/errors.ts';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented } from '../http/openapi.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { Converse } from './converse.ts';
import { answerDiscordInteraction, type BotFeedback, discordFeedbackRow } from './feedback.ts';
import { clip, lowConfidence, passageLink } from './format.ts';
import { readVerified, type SignedRequest, signedRoute } from './payload.ts';
import type { ReplayGuard } from './replay.ts';
import { DiscordInteractionSchema, DiscordReplySchema } from './schemas.ts';
import { verifyDiscord } from './verify.ts';

export interface DiscordOptions {
  publicKey: string;
  publicUrl?: string;
  now: () => number;
  replays: ReplayGuard;
  /** Records answers; each then carries 👍/👎 buttons (component and modal interactions). */
  feedback?: BotFeedback;
}

/**
 * Discord interactions endpoint: Ed25519-verified PINGs and slash commands, answered with embeds; with
 * feedback, button presses (3) and the reason modal (5) too.
 */
export function createDiscordRoutes(converse: Converse, options: DiscordOptions) {
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
      if ((interaction.type === 3 || interaction.type === 5) && options.feedback)
        return c.json(await answerDiscordInteraction(options.feedback, interaction));
      if (interaction.type !== 2) {
        const handled = options.feedback
          ? 'PING (1), APPLICATION_COMMAND (2), MESSAGE_COMPONENT (3) and MODAL_SUBMIT (5)'
          : 'PING (1) and APPLICATION_COMMAND (2)';
        throw new AppError('INVALID_REQUEST', `type: only ${handled} are handled`);
      }
      const option =
        interaction.data?.options?.find((o) => o.name === 'question') ?? interaction.data?.options?.[0];
      const text = typeof option?.value === 'string' ? option.value : '/help';
      const user = interaction.member?.user?.id ?? interaction.user?.id ?? '';
      const { result, reply, askId } = await converse(
        `discord:${interaction.channel_id ?? ''}:${user}`,
        text,
      );
      return c.json({ type: 4, data: discordMessage(result, reply, options.publicUrl, askId) });
    },
  );
  return app;
}

/**
 * Discord: one embed per passage, titled with the document (title ≤ 256 characters) and the full
 * reference with its section in the footer (≤ 2048), so a long title never cuts the section off; the
 * total stays under Discord's 6000 characters. The feedback buttons follow the embeds.
 */
function discordMessage(
  result: AskResult | undefined,
  reply: string | undefined,
  publicUrl?: string,
  askId?: string,
) {
  if (reply || !result) return { content: reply ?? '' };
  const embeds: unknown[] = [];
  let total = 0;
  for (const p of result.passages) {
    const title = clip(p.citation.title, 256);
    const description = clip(`“${p.quote.text}”`, 1500);
    const footer = clip(p.citation.label, 2048);
    if (total + title.length + description.length + footer.length > 5500) break;
    total += title.length + description.length + footer.length;
    const link = passageLink(publicUrl, p);
    embeds.push({ title, description, footer: { text: footer }, ...(link ? { url: link } : {}) });
  }
  return {
    content: lowConfidence(result) ?? (result.passages.length ? '' : 'No more passages.'),
    embeds,
    ...(askId ? { components: [discordFeedbackRow(askId)] } : {}),
  };
}
