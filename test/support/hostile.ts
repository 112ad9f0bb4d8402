/** Attacker-controlled strings of the kind that reach findings through user agents, paths and session names. */
export const HOSTILE = {
  ansi: '\u001b[31mred\u001b[0m \u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007 \u001b[2J\u001b[H',
  crlf: 'boto3/1.34\r\nSubject: you have been pwned\r\nBcc: all@corp.example',
  hugeUa: `Mozilla/5.0 ${'A'.repeat(10 * 1024)}`,
  script: '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>',
  url: 'curl/8.5.0 see http://evil.example/payload and https://www.evil.example/x',
  bidi: 'deployer\u202egnp.exe\u200b',
  markdown: '[click me](http://evil.example) **urgent** `rm -rf /` | table |',
} as const;
