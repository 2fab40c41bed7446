// The message log of the open channel: confirmed messages by seq, then the user's pending
// ones (sending, or refused with Retry and Discard). Content is always set as text.
import type { Message } from '../api';
import type { ChannelState } from '../channel_state';
import { h, setText } from '../dom';
import type { PendingMessage } from '../storage';

export interface MessagesActions {
  loadOlder(): Promise<void>;
  retry(nonce: string): void;
  discard(nonce: string): void;
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class MessagesView {
  readonly el: HTMLElement;
  private readonly list = h('ol', { class: 'messages' });
  private readonly older = h('button', { type: 'button', class: 'secondary small older' },
    'Load older messages');
  private readonly empty = h('p', { class: 'hint empty-log' }, 'No messages yet. Say hello!');
  private readonly nodes = new Map<string, HTMLElement>();
  private channelId: string | null = null;
  private loading = false;

  constructor(private readonly actions: MessagesActions) {
    this.el = h('div', { class: 'scroller', tabindex: 0, role: 'log', 'aria-live': 'polite' },
      this.older, this.empty, this.list);
    this.older.addEventListener('click', () => this.loadOlder());
    this.el.addEventListener('scroll', () => {
      if (this.el.scrollTop < 8 && !this.older.hidden) {
        void this.loadOlder();
      }
    });
  }

  /** Redraws for `state`; keeps the reader's place, or follows the newest when at the end. */
  render(state: ChannelState, pending: PendingMessage[], me: string, follow = false): void {
    if (state.id !== this.channelId) {
      this.channelId = state.id;
      this.nodes.clear();
      follow = true;
      this.el.setAttribute('aria-label', 'Messages in ' + state.channel.name);
    }
    const fromBottom = this.el.scrollHeight - this.el.scrollTop;
    const atBottom = fromBottom - this.el.clientHeight < 48;
    const items: HTMLElement[] = state.messages.map((m) => this.messageNode(m, me));
    for (const p of pending) {
      items.push(this.pendingNode(p));
    }
    reconcile(this.list, items);
    this.older.hidden = !state.loaded || !state.hasOlder;
    this.empty.hidden = !state.loaded || items.length > 0 || state.hasOlder;
    if (follow || atBottom) {
      this.el.scrollTop = this.el.scrollHeight;
    } else {
      this.el.scrollTop = this.el.scrollHeight - fromBottom;
    }
  }

  private async loadOlder(): Promise<void> {
    if (this.loading) {
      return;
    }
    this.loading = true;
    this.older.disabled = true;
    setText(this.older, 'Loading…');
    try {
      await this.actions.loadOlder();
    } finally {
      this.loading = false;
      this.older.disabled = false;
      setText(this.older, 'Load older messages');
    }
  }

  private messageNode(m: Message, me: string): HTMLElement {
    const key = 's' + m.seq;
    let node = this.nodes.get(key);
    if (!node) {
      node = h('li', { class: m.author_id === me ? 'msg own' : 'msg', 'data-seq': m.seq },
        h('p', { class: 'meta' },
          h('span', { class: 'author' }, m.author),
          ' ',
          h('time', { datetime: new Date(m.created_at).toISOString() },
            time.format(m.created_at))),
        h('p', { class: 'text' }, m.content));
      this.nodes.set(key, node);
    }
    return node;
  }

  private pendingNode(p: PendingMessage): HTMLElement {
    const key = 'p' + p.nonce + (p.error ?? '');
    let node = this.nodes.get(key);
    if (!node) {
      node = this.buildPendingNode(p);
      this.nodes.set(key, node);
    }
    return node;
  }

  private buildPendingNode(p: PendingMessage): HTMLElement {
    const status = p.error
      ? h('span', { class: 'state failed' }, 'Not sent: ' + p.error + ' ',
        h('button', { type: 'button', class: 'link', onclick: () => this.actions.retry(p.nonce) },
          'Retry'),
        ' ',
        h('button', { type: 'button', class: 'link',
          onclick: () => this.actions.discard(p.nonce) }, 'Discard'))
      : h('span', { class: 'state' }, 'Sending…');
    return h('li', { class: p.error ? 'msg own failed' : 'msg own pending',
      'data-nonce': p.nonce, 'aria-busy': p.error ? null : 'true' },
      h('p', { class: 'meta' }, h('span', { class: 'author' }, 'You'), ' ', status),
      h('p', { class: 'text' }, p.content));
  }
}

/** Puts `items` in `list` in order, moving or inserting only what changed, so that a screen
 * reader announces new messages and not the whole log again. */
function reconcile(list: HTMLElement, items: HTMLElement[]): void {
  let cursor = list.firstElementChild;
  for (const item of items) {
    if (item === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      list.insertBefore(item, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}
