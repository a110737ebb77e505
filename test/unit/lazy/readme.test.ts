import { describe, expect, it } from 'vitest';
import { makeApiGatewayV2Event } from '../../helpers/events.js';
import { handler, warmUp } from './fixtures/readme-handler.js';

describe('the README example (docs/readme/lazy.md)', () => {
  it('routes to lazily loaded handlers, preloads in the background and answers 404 with the known routes', async () => {
    // Act
    const summary = await warmUp.done;
    const orders = await handler(
      makeApiGatewayV2Event('/orders', { queryStringParameters: { customer: '7' } }),
    );
    const health = await handler(makeApiGatewayV2Event('/health'));
    const missing = await handler(makeApiGatewayV2Event('/orders', { method: 'DELETE' }));

    // Assess
    expect(summary.loaded).toBe(1);
    expect(orders).toMatchObject({ statusCode: 200, body: '{"customer":"7"}' });
    expect(health).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(missing).toMatchObject({ statusCode: 404 });
    expect((missing as { body: string }).body).toContain("Known routes: 'GET /health', 'GET /orders'");
  });
});
