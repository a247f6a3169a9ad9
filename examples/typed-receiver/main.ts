import { createTypedReceiver, describeWebhook } from './receiver.js';

/**
 * Runs the typed receiver: RECEIVER_SECRET (the signingSecret), RECEIVER_TOKEN (the bearer
 * token, when one is set) and PORT (4200 by default) from the environment.
 */
const secret = process.env['RECEIVER_SECRET'];
if (!secret) {
  console.error('Set RECEIVER_SECRET to the signingSecret of webhookSettings (whsec_…).');
  process.exit(1);
}
const port = Number(process.env['PORT'] ?? 4200);
const server = createTypedReceiver({
  secret,
  ...(process.env['RECEIVER_TOKEN'] && { bearerToken: process.env['RECEIVER_TOKEN'] }),
  handle: (webhook) => console.log(`${webhook.id}  ${webhook.type}  ${describeWebhook(webhook)}`),
});
server.listen(port, () => console.log(`Typed receiver listening on http://127.0.0.1:${port}/`));
