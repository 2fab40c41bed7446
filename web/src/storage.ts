// What survives a reload: the login (localStorage, so a new tab of the same browser is
// signed in too; the strict CSP and text-only rendering are what protect it from scripts)
// and the messages typed but not yet acknowledged, with their nonces.
import type { LoginResult, User } from './api';

const SESSION_KEY = 'plexichat.session';

export interface StoredSession {
  token: string;
  expires_at: number;
  user: User;
}

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) {
      localStorage.removeItem(key);
    } else {
      localStorage.setItem(key, JSON.stringify(value));
    }
  } catch {
    // Storage full or disabled: the app still works, it only forgets across reloads.
  }
}

/** The saved login, or null when there is none or it has expired. */
export function loadSession(): StoredSession | null {
  const s = read<StoredSession>(SESSION_KEY);
  if (!s || typeof s.token !== 'string' || !s.user || s.expires_at <= Date.now()) {
    return null;
  }
  return s;
}

export function saveSession(login: LoginResult | null): void {
  write(SESSION_KEY, login && { token: login.token, expires_at: login.expires_at, user: login.user });
}

export interface PendingMessage {
  nonce: string;
  channel_id: string;
  content: string;
  created_at: number;
  /** Set when the server refused it for good: shown with Retry and Discard. */
  error?: string;
}

/** The unacknowledged messages of one user, in the order they were typed. */
export class PendingStore {
  private items: PendingMessage[];
  private readonly key: string;

  constructor(userId: string) {
    this.key = 'plexichat.pending.' + userId;
    this.items = read<PendingMessage[]>(this.key) ?? [];
  }

  all(): readonly PendingMessage[] {
    return this.items;
  }

  forChannel(channelId: string): PendingMessage[] {
    return this.items.filter((p) => p.channel_id === channelId);
  }

  add(item: PendingMessage): void {
    this.items.push(item);
    this.save();
  }

  /** Removes the message with this nonce; true when it was pending. */
  remove(nonce: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((p) => p.nonce !== nonce);
    this.save();
    return this.items.length !== before;
  }

  setError(nonce: string, error: string | undefined): void {
    const item = this.items.find((p) => p.nonce === nonce);
    if (item) {
      item.error = error;
      this.save();
    }
  }

  clear(): void {
    this.items = [];
    write(this.key, null);
  }

  private save(): void {
    write(this.key, this.items.length ? this.items : null);
  }
}

/** A fresh nonce: a random UUID (crypto.randomUUID needs a secure context; fall back). */
export function newNonce(): string {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
