import { describe, expect, it } from 'vitest';
import { createPkce, pkceChallenge, randomOAuthState } from './pkce.ts';

describe('PKCE S256', () => {
  it('RFC 7636 Appendix B vector', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates a 43-char verifier whose challenge matches', async () => {
    const { verifier, challenge } = await createPkce();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(await pkceChallenge(verifier));
    expect(randomOAuthState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
