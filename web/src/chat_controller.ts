// The signed-in client: channel states, the WebSocket, pending sends, and the actions the
// views call. Speaks only the public protocol (REST /api/v1 and the /api/v1/ws frames).
import { Api, ApiError, type Channel, type Message, type User } from './api';
import { ChannelState } from './channel_state';
import { describeCode, describeError } from './errors';
import { ChatSocket, type ServerFrame, type SocketStatus } from './socket';
import { newNonce, PendingStore } from './storage';
import { ChatView, type ChatActions } from './views/chat_view';

const ACTIVE_KEY = 'plexichat.active';
const LIST_REFRESH_MS = 30000;

export class ChatController implements ChatActions {
  private readonly channels = new Map<string, ChannelState>();
  private readonly pending: PendingStore;
  private readonly knownUsers = new Map<string, string>();
  private readonly view: ChatView;
  private readonly socket: ChatSocket;
  private activeId: string | null = sessionStorage.getItem(ACTIVE_KEY);
  private statusTimer: number | undefined;
  private refreshTimer: number | undefined;
  private ended = false;
  private readonly loadingNewest = new Set<string>();
  private readonly onVisible = () => {
    const c = this.activeId ? this.channels.get(this.activeId) : undefined;
    if (c && c.unread > 0 && document.visibilityState === 'visible') {
      c.unread = 0;
      this.renderSidebar();
    }
  };

  constructor(root: HTMLElement, private readonly api: Api, private readonly user: User,
              token: string, private readonly signedOut: (notice: string) => void) {
    this.pending = new PendingStore(user.id);
    this.view = new ChatView(root, user.username, user.id, this);
    this.socket = new ChatSocket(token, {
      ready: () => void this.onReady(),
      frame: (f) => this.onFrame(f),
      status: (s) => this.onStatus(s),
      unauthorized: () => this.end(describeCode('unauthorized', '', 'general')),
    });
    api.onUnauthorized = () => this.end(describeCode('unauthorized', '', 'general'));
  }

  start(): void {
    this.renderAll();
    this.socket.start();
    document.addEventListener('visibilitychange', this.onVisible);
    this.refreshTimer = window.setInterval(() => void this.refreshList(), LIST_REFRESH_MS);
  }

  // ----- socket events

  private async onReady(): Promise<void> {
    // Resume the known channels first (after_seq = the last seq seen), then pick up channels
    // that appeared meanwhile, then resend what was typed offline with its nonce.
    for (const c of this.channels.values()) {
      c.subscribed = false;
      if (c.membership !== 'not_member') {
        this.subscribe(c);
      }
    }
    await this.refreshList();
    this.flushPending();
  }

  private subscribe(c: ChannelState): void {
    this.socket.send({ type: 'subscribe', channel_id: c.id, after_seq: c.lastSeq });
  }

  private flushPending(): void {
    for (const p of this.pending.all()) {
      if (!p.error) {
        this.socket.send({ type: 'send', channel_id: p.channel_id, content: p.content,
                           nonce: p.nonce });
      }
    }
  }

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'subscribed':
        return this.onSubscribed(String(f.channel_id));
      case 'message':
        return this.onMessage(f.message as Message, false);
      case 'ack':
        return this.onMessage(f.message as Message, true);
      case 'unsubscribed':
        return this.onUnsubscribed(String(f.channel_id));
      case 'error':
        return this.onError(f);
    }
  }

  private onSubscribed(channelId: string): void {
    const c = this.channels.get(channelId);
    if (!c) {
      return;
    }
    c.subscribed = true;
    c.membership = 'member';
    if (c.id === this.activeId && !c.loaded) {
      void this.loadNewest(c);
    }
    this.renderAll();
  }

  private onMessage(m: Message, acked: boolean): void {
    let removed = false;
    if (m.nonce && m.author_id === this.user.id) {
      removed = this.pending.remove(m.nonce);
    }
    this.knownUsers.set(m.author, m.author_id);
    const c = this.channels.get(m.channel_id);
    if (!c) {
      return;
    }
    const fresh = c.add(m);
    const looking = c.id === this.activeId && document.visibilityState === 'visible';
    if (fresh && !acked && !looking && m.author_id !== this.user.id) {
      c.unread++;
      this.renderSidebar();
    }
    if (c.id === this.activeId && (fresh || removed)) {
      this.renderMessages(removed);
    }
  }

  private onUnsubscribed(channelId: string): void {
    const c = this.channels.get(channelId);
    if (!c) {
      return;
    }
    c.subscribed = false;
    this.markLeft(c);
  }

  private onError(f: ServerFrame): void {
    const code = String(f.code ?? 'error');
    const text = describeCode(code, String(f.message ?? ''), 'send');
    if (typeof f.nonce === 'string' && this.pending.all().some((p) => p.nonce === f.nonce)) {
      this.pending.setError(f.nonce, text);
      this.renderMessages(false);
      return;
    }
    const c = typeof f.channel_id === 'string' ? this.channels.get(f.channel_id) : undefined;
    if (c && (code === 'forbidden' || code === 'not_found')) {
      this.markLeft(c);
      return;
    }
    this.view.showNotice(text);
  }

  private onStatus(s: SocketStatus): void {
    window.clearInterval(this.statusTimer);
    if (s.state === 'online') {
      this.view.showConnection(null, false);
      return;
    }
    if (s.state === 'connecting') {
      this.view.showConnection('Connecting to the server…', false);
      return;
    }
    const show = () => {
      const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
      this.view.showConnection(`Offline. ${s.reason} Reconnecting in ${secs} s; ` +
        'messages you send now go out when we are back.', true);
    };
    show();
    this.statusTimer = window.setInterval(show, 1000);
  }

  // ----- channel list

  private async refreshList(): Promise<void> {
    // A list fetched before a channel was added here (created, say, while it was on its way)
    // cannot know that channel: only the channels known when it was asked for can be gone.
    const askedAbout = new Set(this.channels.keys());
    let list: Channel[];
    try {
      list = (await this.api.channels()).channels;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 0)) {
        this.view.showNotice(describeError(err));
      }
      return;
    }
    const seen = new Set<string>();
    for (const ch of list) {
      seen.add(ch.id);
      const c = this.channels.get(ch.id);
      if (c) {
        c.channel = ch;
      } else {
        const fresh = new ChannelState(ch, ch.private ? 'member' : 'unknown');
        this.channels.set(ch.id, fresh);
        if (this.socket.isReady) {
          this.subscribe(fresh);
        }
      }
    }
    for (const id of [...this.channels.keys()]) {
      if (!seen.has(id) && askedAbout.has(id)) {
        this.channels.delete(id);
      }
    }
    if (this.activeId !== null && !this.channels.has(this.activeId)) {
      this.activeId = null;
    }
    this.renderAll();
  }

  private markLeft(c: ChannelState): void {
    c.reset();
    if (c.channel.private) {
      this.channels.delete(c.id);
    } else {
      c.membership = 'not_member';
    }
    this.renderAll();
  }

  private async loadNewest(c: ChannelState): Promise<void> {
    if (this.loadingNewest.has(c.id)) {
      return;
    }
    this.loadingNewest.add(c.id);
    try {
      const page = await this.api.messages(c.id, null);
      c.addPage(page.messages, page.has_more);
      page.messages.forEach((m) => this.knownUsers.set(m.author, m.author_id));
      if (c.id === this.activeId) {
        this.renderMessages(true);
      }
    } catch (err) {
      this.view.showNotice(describeError(err, 'channel'));
    } finally {
      this.loadingNewest.delete(c.id);
    }
  }

  // ----- actions (called by the views)

  select(channelId: string): void {
    const c = this.channels.get(channelId);
    if (!c) {
      return;
    }
    this.activeId = channelId;
    sessionStorage.setItem(ACTIVE_KEY, channelId);
    c.unread = 0;
    this.view.showNotice('');
    this.view.closeMenu();
    this.renderAll();
    if (!c.loaded && c.membership === 'member') {
      void this.loadNewest(c);
    }
    this.view.composer.focus();
  }

  async join(channelId: string): Promise<void> {
    const c = this.channels.get(channelId);
    if (!c) {
      return;
    }
    try {
      await this.api.join(channelId);
      c.membership = 'member';
      this.subscribe(c);
      this.select(channelId);
    } catch (err) {
      this.view.showNotice(describeError(err, 'channel'));
    }
  }

  async create(name: string, topic: string, isPrivate: boolean): Promise<void> {
    try {
      const { channel } = await this.api.createChannel(name, topic, isPrivate);
      const c = new ChannelState(channel, 'member');
      this.channels.set(channel.id, c);
      this.subscribe(c);
      this.select(channel.id);
    } catch (err) {
      throw new Error(describeError(err, 'channel'));
    }
  }

  async leave(): Promise<void> {
    const c = this.activeId ? this.channels.get(this.activeId) : undefined;
    if (!c) {
      return;
    }
    try {
      await this.api.leave(c.id);
      this.socket.send({ type: 'unsubscribe', channel_id: c.id });
      this.markLeft(c);
      this.view.showNotice(`You left ${c.channel.name}.`);
    } catch (err) {
      this.view.showNotice(describeError(err, 'channel'));
    }
  }

  async addMember(who: string): Promise<void> {
    const c = this.activeId ? this.channels.get(this.activeId) : undefined;
    if (!c) {
      return;
    }
    const userId = this.knownUsers.get(who.toLowerCase()) ?? who;
    try {
      await this.api.addMember(c.id, userId);
      this.view.showNotice(`Added ${who} to ${c.channel.name}.`);
    } catch (err) {
      this.view.showNotice(describeError(err, 'channel'));
    }
  }

  async loadOlder(): Promise<void> {
    const c = this.activeId ? this.channels.get(this.activeId) : undefined;
    const oldest = c?.oldestSeq();
    if (!c || oldest === null || oldest === undefined) {
      return;
    }
    try {
      const page = await this.api.messages(c.id, oldest);
      c.addPage(page.messages, page.has_more);
      this.renderMessages(false);
    } catch (err) {
      this.view.showNotice(describeError(err, 'channel'));
    }
  }

  send(text: string): void {
    if (!this.activeId) {
      return;
    }
    const item = { nonce: newNonce(), channel_id: this.activeId, content: text,
                   created_at: Date.now() };
    this.pending.add(item);
    this.renderMessages(true);
    this.socket.send({ type: 'send', channel_id: item.channel_id, content: text,
                       nonce: item.nonce });
  }

  retry(nonce: string): void {
    const p = this.pending.all().find((x) => x.nonce === nonce);
    if (p) {
      this.pending.setError(nonce, undefined);
      this.renderMessages(false);
      this.socket.send({ type: 'send', channel_id: p.channel_id, content: p.content, nonce });
    }
  }

  discard(nonce: string): void {
    this.pending.remove(nonce);
    this.renderMessages(false);
  }

  retryConnection(): void {
    this.socket.retryNow();
  }

  logout(): void {
    void this.api.logout().catch(() => undefined);
    this.pending.clear();
    this.end('You are signed out.');
  }

  private end(notice: string): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.socket.stop();
    document.removeEventListener('visibilitychange', this.onVisible);
    window.clearInterval(this.statusTimer);
    window.clearInterval(this.refreshTimer);
    this.api.onUnauthorized = null;
    sessionStorage.removeItem(ACTIVE_KEY);
    this.signedOut(notice);
  }

  // ----- rendering

  private renderAll(): void {
    const c = this.activeId ? this.channels.get(this.activeId) ?? null : null;
    this.view.showChannel(c);
    this.renderSidebar();
    this.renderMessages(false);
  }

  private renderSidebar(): void {
    this.view.sidebar.render([...this.channels.values()], this.activeId);
  }

  private renderMessages(follow: boolean): void {
    const c = this.activeId ? this.channels.get(this.activeId) : undefined;
    if (c) {
      this.view.messages.render(c, this.pending.forChannel(c.id), this.user.id, follow);
      this.view.setKnownUsers([...this.knownUsers.keys()].filter((n) => n !== this.user.username));
    }
  }
}
