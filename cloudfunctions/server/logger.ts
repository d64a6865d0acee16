import pino from 'pino';

/**
 * Structured logs. Secrets are redacted by key wherever they appear, as a second line of
 * defence: code should not log them in the first place.
 */
export const REDACT_PATHS = [
  '*.secret',
  '*.secrets',
  '*.token',
  '*.aesKey',
  '*.password',
  '*.apiKey',
  '*.masterKey',
  '*.authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'config.masterKey',
  'config.llm.apiKey',
  'config.cloudbase.secretKey',
  'config.cloudbase.sessionToken',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'xiaoer' } }, destination);
}
