import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { serializeError } from './log-error.js';
import { currentRequestScope } from './request-scope.js';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * JSON lines for machines, readable lines for a person at a terminal. Every line written
 * while a request is served carries its requestId (the id its errors name too). JSON lines go
 * to `destination` when one is given (stdout otherwise).
 */
export function createLogger(level: string, format: LogFormat = 'auto', isTerminal = Boolean(process.stdout.isTTY), destination?: DestinationStream): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && isTerminal);
  const options: LoggerOptions = {
    level,
    base: { service: 'recordengine-bridge' },
    serializers: { err: serializeError },
    redact: { paths: ['req.headers.authorization', 'authorization', 'token', 'bearerToken'], censor: '[redacted]' },
    mixin: () => currentRequestScope() ?? {},
    ...(pretty && {
      transport: { target: 'pino-pretty', options: { colorize: isTerminal, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    }),
  };
  return destination && !pretty ? pino(options, destination) : pino(options);
}
