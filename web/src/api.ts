// REST client for /api/v1 (PROTOCOL.md, docs/API.md).

export interface User {
  id: string;
  username: string;
  created_at: number;
}

export interface Channel {
  id: string;
  name: string;
  topic: string;
  private: boolean;
  created_at: number;
  last_seq: number;
}

export interface Message {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string;
  author: string;
  content: string;
  created_at: number;
  nonce?: string;
}

export interface LoginResult {
  token: string;
  expires_at: number;
  user: User;
}

/** A failed call: HTTP status (0 when the server could not be reached) and error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

function retryAfter(res: Response): number | null {
  const value = res.headers.get('Retry-After');
  if (value === null) {
    return null;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return Math.max(0, Math.ceil(seconds));
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'http_' + res.status;
  let message = res.statusText || 'request failed';
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's page, say): keep the status text.
  }
  return new ApiError(res.status, code, message, retryAfter(res));
}

export class Api {
  /** Called when an authenticated call answers 401: the token is no longer valid. */
  onUnauthorized: (() => void) | null = null;

  constructor(
    public token: string | null = null,
    private readonly base = '/api/v1',
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (this.token) {
      headers['Authorization'] = 'Bearer ' + this.token;
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', 'the server could not be reached');
    }
    if (!res.ok) {
      const err = await errorOf(res);
      if (res.status === 401 && this.token && err.code === 'unauthorized' && this.onUnauthorized) {
        this.onUnauthorized();
      }
      throw err;
    }
    return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
  }

  register(username: string, password: string): Promise<{ user: User }> {
    return this.call('POST', '/auth/register', { username, password });
  }

  login(username: string, password: string, otp?: string): Promise<LoginResult> {
    const body: Record<string, string> = { username, password };
    if (otp) {
      body.otp = otp;
    }
    return this.call('POST', '/auth/login', body);
  }

  logout(): Promise<void> {
    return this.call('POST', '/auth/logout');
  }

  me(): Promise<{ user: User }> {
    return this.call('GET', '/users/me');
  }

  channels(): Promise<{ channels: Channel[] }> {
    return this.call('GET', '/channels');
  }

  createChannel(name: string, topic: string, isPrivate: boolean): Promise<{ channel: Channel }> {
    return this.call('POST', '/channels', { name, topic, private: isPrivate });
  }

  join(channelId: string): Promise<void> {
    return this.call('POST', `/channels/${encodeURIComponent(channelId)}/members`, {});
  }

  addMember(channelId: string, userId: string): Promise<void> {
    return this.call('POST', `/channels/${encodeURIComponent(channelId)}/members`, {
      user_id: userId,
    });
  }

  leave(channelId: string): Promise<void> {
    return this.call('DELETE', `/channels/${encodeURIComponent(channelId)}/members/me`);
  }

  /** A page of history, ascending seq; `before` pages back from a seq, none gives the newest. */
  messages(
    channelId: string,
    before: number | null,
    limit = 50,
  ): Promise<{ messages: Message[]; has_more: boolean }> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== null) {
      query.set('before', String(before));
    }
    return this.call('GET', `/channels/${encodeURIComponent(channelId)}/messages?${query}`);
  }
}
