import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'recordengine-bridge' },
    redact: { paths: ['req.headers.authorization', 'authorization', 'token', 'bearerToken'], censor: '[redacted]' },
  });
}
