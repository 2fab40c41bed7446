// The WebSocket to /api/v1/ws: authenticates, keeps itself alive with pings, and reconnects
// with exponential backoff and jitter when the connection drops.
import type { User } from './api';

export type SocketStatus =
  | { state: 'connecting' }
  | { state: 'online' }
  | { state: 'offline'; retryAt: number; reason: string };

export interface ServerFrame {
  type: string;
  [field: string]: unknown;
}

export interface SocketEvents {
  /** The session is authenticated (first connect and every reconnect). */
  ready(user: User): void;
  frame(frame: ServerFrame): void;
  status(status: SocketStatus): void;
  /** The token was refused (close 4001): the user must sign in again. */
  unauthorized(): void;
}

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 8000;
const RATE_LIMITED_MIN_MS = 5000;
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;

export function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/v1/ws`;
}

export class ChatSocket {
  private ws: WebSocket | null = null;
  private ready = false;
  private attempts = 0;
  private stopped = true;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private pongTimer: number | undefined;
  private readonly onOnline = () => this.retryNow();

  constructor(
    private readonly token: string,
    private readonly events: SocketEvents,
    private readonly url = socketUrl(),
  ) {}

  start(): void {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    this.clearTimers();
    this.drop(1000);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Sends a frame when the session is ready; false otherwise (the caller keeps it). */
  send(frame: object): boolean {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Skips the rest of the backoff wait (the "Retry now" button, the browser going online). */
  retryNow(): void {
    if (!this.stopped && !this.ws) {
      window.clearTimeout(this.retryTimer);
      this.connect();
    }
  }

  private connect(): void {
    this.events.status({ state: 'connecting' });
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: this.token }));
    ws.onmessage = (ev) => this.onMessage(ev);
    ws.onclose = (ev) => {
      if (this.ws === ws) {
        this.lost(ev.code);
      }
    };
  }

  private onMessage(ev: MessageEvent): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(ev.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'ready') {
      this.ready = true;
      this.attempts = 0;
      this.schedulePing();
      this.events.status({ state: 'online' });
      this.events.ready(frame.user as User);
    } else if (frame.type === 'pong') {
      window.clearTimeout(this.pongTimer);
      this.schedulePing();
    } else {
      this.events.frame(frame);
    }
  }

  private lost(code: number): void {
    this.ws = null;
    this.ready = false;
    this.clearTimers();
    if (this.stopped) {
      return;
    }
    if (code === 4001) {
      this.stopped = true;
      this.events.unauthorized();
      return;
    }
    let delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts);
    delay = delay / 2 + Math.random() * (delay / 2);
    if (code === 4008) {
      delay = Math.max(delay, RATE_LIMITED_MIN_MS);
    }
    this.attempts++;
    this.events.status({ state: 'offline', retryAt: Date.now() + delay, reason: reasonOf(code) });
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  private schedulePing(): void {
    window.clearTimeout(this.pingTimer);
    this.pingTimer = window.setTimeout(() => {
      this.send({ type: 'ping' });
      // A connection that silently died (network gone) shows up as a missing pong.
      this.pongTimer = window.setTimeout(() => this.drop(4000), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  private drop(code: number): void {
    const ws = this.ws;
    if (!ws) {
      return;
    }
    ws.onclose = null;
    ws.onmessage = null;
    ws.onopen = null;
    try {
      ws.close(code === 1000 ? 1000 : 4000);
    } catch {
      // Already closing.
    }
    this.lost(code);
  }

  private clearTimers(): void {
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.pingTimer);
    window.clearTimeout(this.pongTimer);
  }
}

function reasonOf(code: number): string {
  switch (code) {
    case 1001:
      return 'The server is restarting.';
    case 4008:
      return 'Too many requests: the server asked us to slow down.';
    case 4009:
      return 'We fell behind the conversation.';
    case 4000:
      return 'The server stopped answering.';
    default:
      return 'The connection to the server was lost.';
  }
}
