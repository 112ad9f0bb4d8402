import fc from 'fast-check';
import { clean, neutralise, truncate } from '../../lambdas/core/neutralise';
import { HOSTILE } from '../support/hostile';

describe('neutralise', () => {
  it('removes terminal escape sequences, including OSC 8 hyperlinks and screen clears', () => {
    const out = neutralise(HOSTILE.ansi, 500);
    expect(out).toBe('red click ');
    expect(out).not.toContain('\u001b');
  });

  it('shows CR, LF, tab and other controls as visible escapes, so a value stays on one line', () => {
    expect(neutralise('a\r\nb\tc\u0000d\u0007', 100)).toBe('a\\r\\nb\\tc\\x00d\\x07');
    expect(neutralise(HOSTILE.crlf, 500)).not.toMatch(/[\r\n]/);
  });

  it('shows bidi overrides, zero-width characters and line separators instead of letting them reorder or hide text', () => {
    expect(neutralise(HOSTILE.bidi, 100)).toBe('deployer\\u202egnp[.]exe\\u200b');
    expect(neutralise('a\u2028b\u2029c\ufeffd', 100)).toBe('a\\u2028b\\u2029c\\ufeffd');
  });

  it('escapes lone surrogates (not encodable as UTF-8) but keeps real astral characters', () => {
    expect(neutralise('x\ud800y', 10)).toBe('x\\ud800y');
    expect(neutralise('ok 🙂', 10)).toBe('ok 🙂');
  });

  it('defangs URLs and host names so mail clients do not make links', () => {
    expect(neutralise(HOSTILE.url, 500)).toBe(
      'curl/8.5.0 see hxxp://evil[.]example/payload and hxxps://www[.]evil[.]example/x',
    );
    expect(neutralise('FTP://files.example.org/a', 100)).toBe('fxp://files[.]example[.]org/a');
    expect(neutralise('javascript://x gopher://h', 100)).toBe('javascript[:]//x gopher[:]//h');
    expect(neutralise('AAAAhttps://x AAAAftp://y a1://z', 100)).toBe('AAAAhxxps://x AAAAfxp://y a1[:]//z');
    expect(neutralise('bare ://x', 100)).toBe('bare [:]//x');
    expect(neutralise('mail bob@corp.example now', 100)).toBe('mail bob@corp[.]example now');
    expect(neutralise('idn bücher.example and xn--bcher-kva.example', 100)).toBe(
      'idn bücher[.]example and xn--bcher-kva[.]example',
    );
    expect(neutralise('full-width evil\uff0eexample', 100)).toBe('full-width evil[.]example');
  });

  it('leaves version numbers, addresses and SDK user agents readable', () => {
    const ua =
      'aws-sdk-js/3.600.0 ua/2.1 os/linux#5.10.210-201.852.amzn2.x86_64 lang/js md/nodejs#22.11.0 exec-env/AWS_Lambda_nodejs22.x';
    expect(neutralise(ua, 500)).toBe(ua);
    expect(neutralise('198.51.100.7 and 2001:db8::1', 100)).toBe('198.51.100.7 and 2001:db8::1');
  });

  it('makes HTML tags impossible: angle brackets become look-alike quotes', () => {
    const out = neutralise(HOSTILE.script, 500);
    expect(out).not.toMatch(/[<>]/);
    expect(out).toBe('‹script›alert(document[.]cookie)‹/script›‹img src=x onerror=alert(1)›');
  });

  it('caps length in code points with an ellipsis, never splitting a surrogate pair', () => {
    const out = neutralise(HOSTILE.hugeUa, 256);
    expect(Array.from(out)).toHaveLength(256);
    expect(out.endsWith('…')).toBe(true);
    expect(neutralise('🙂🙂🙂🙂', 3)).toBe('🙂🙂…');
    expect(neutralise('short', 256)).toBe('short');
  });

  it('produces printable ASCII only in ascii mode', () => {
    const out = neutralise(`café ${HOSTILE.script} ${HOSTILE.crlf} ${HOSTILE.bidi}`, 99, { ascii: true });
    expect(out).toMatch(/^[\x20-\x7e]*$/);
    expect(out.length).toBeLessThanOrEqual(99);
    expect(out.endsWith('...')).toBe(true);
    expect(out.startsWith('caf? (script)alert(document[.]cookie)(/script)')).toBe(true);
  });

  it('turns undefined and null into an empty string', () => {
    expect(neutralise(undefined, 10)).toBe('');
    expect(neutralise(null, 10)).toBe('');
  });

  it('never throws and always returns one bounded line without controls or angle brackets, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 2000 }),
        fc.integer({ min: 1, max: 400 }),
        (s, max) => {
          const out = neutralise(s, max);
          expect(Array.from(out).length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029<>]/);
          expect(out).not.toMatch(/\b(?:https?|ftp):\/\//i);
          const ascii = neutralise(s, max, { ascii: true });
          expect(ascii).toMatch(/^[\x20-\x7e]*$/);
          expect(ascii.length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});

describe('clean', () => {
  it('keeps identifiers exact (no defanging) while removing escapes and controls', () => {
    expect(clean('s3.amazonaws.com:GetObject', 100)).toBe('s3.amazonaws.com:GetObject');
    expect(clean('http://x.example/\u001b[31m\r\n', 100)).toBe('http://x.example/\\r\\n');
    expect(clean('a'.repeat(50), 10)).toBe(`${'a'.repeat(9)}…`);
  });
});

describe('truncate', () => {
  it('returns short strings unchanged and long ones cut to the limit', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 3)).toBe('ab…');
    expect(truncate('abcdef', 5, '...')).toBe('ab...');
  });
});
