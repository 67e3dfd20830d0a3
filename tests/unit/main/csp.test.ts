import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, securityHeaders } from '../../../electron/main/csp.ts';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('renderer Content-Security-Policy', () => {
  const policy = buildContentSecurityPolicy();
  const d = directives(policy);

  it('denies by default and allows scripts only from the app itself', () => {
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'", 'app://recx']);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('has no eval, no inline code and no remote or wildcard source anywhere', () => {
    expect(policy).not.toMatch(/unsafe-eval|unsafe-inline|wasm-unsafe-eval|strict-dynamic/);
    for (const [name, values] of d) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/^(https?:|wss?:|\*|file:|app:$)/);
      }
    }
  });

  it('passes Google CSP Evaluator with no high or medium finding', () => {
    const csp = createRequire(import.meta.url)('@doyensec/csp-evaluator');
    const parsed = new csp.CspParser(policy);
    const findings: { severity: number; description: string }[] = new csp.CspEvaluator(
      parsed.csp,
      csp.Version.CSP3,
    ).evaluate();
    const serious = findings.filter((f) =>
      [csp.severities.HIGH, csp.severities.SYNTAX, csp.severities.MEDIUM, csp.severities.HIGH_MAYBE].includes(
        f.severity,
      ),
    );
    expect(serious.map((f) => f.description)).toEqual([]);
  });

  it('is sent with the other hardening headers', () => {
    const h = securityHeaders();
    expect(h['Content-Security-Policy']).toBe(policy);
    expect(h['X-Content-Type-Options']).toBe('nosniff');
  });
});
