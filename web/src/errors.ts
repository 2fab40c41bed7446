// Turns API and WebSocket errors into sentences a person can act on.
import { ApiError } from './api';

export type ErrorContext = 'login' | 'register' | 'channel' | 'send' | 'general';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The sentence shown for a failed call in the given context. */
export function describeError(err: unknown, context: ErrorContext = 'general'): string {
  if (!(err instanceof ApiError)) {
    return 'Something went wrong: ' + String(err instanceof Error ? err.message : err);
  }
  return describeCode(err.code, err.message, context, err.retryAfterSeconds);
}

export function describeCode(
  code: string,
  serverMessage: string,
  context: ErrorContext,
  retryAfterSeconds: number | null = null,
): string {
  switch (code) {
    case 'network':
      return 'Cannot reach the PlexiChat server. Check your connection and try again.';
    case 'rate_limited':
      return retryAfterSeconds !== null
        ? `Too many attempts. Please wait ${plural(retryAfterSeconds, 'second')} and try again.`
        : 'Too many attempts. Please wait a moment and try again.';
    case 'mfa_required':
      return 'This account has two-step sign-in: enter the 6-digit code from your authenticator app.';
    case 'unauthorized':
      if (context === 'login') {
        return 'Wrong username or password.';
      }
      return 'Your session has ended. Please sign in again.';
    case 'forbidden':
      return context === 'send' || context === 'channel'
        ? 'You are not a member of this channel.'
        : 'You are not allowed to do that.';
    case 'conflict':
      return context === 'register' ? 'That username is already taken.' : serverMessage;
    case 'not_found':
      return context === 'channel' || context === 'send'
        ? 'That channel or user does not exist (or is private).'
        : 'Not found: ' + serverMessage;
    case 'too_large':
      return 'That is too large to send.';
    case 'unavailable':
      return 'The server is busy or restarting. Please try again in a moment.';
    case 'invalid_request':
      return capitalise(serverMessage) + '.';
    default:
      return capitalise(serverMessage || code) + '.';
  }
}

function capitalise(text: string): string {
  const trimmed = text.replace(/[.\s]+$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
