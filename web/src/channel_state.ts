// One channel as the client knows it: the messages it holds, keyed and ordered by seq, the
// highest seq it has seen (where a resubscription resumes), history paging and unread count.
import type { Channel, Message } from './api';

export type Membership = 'member' | 'not_member' | 'unknown';

export class ChannelState {
  /** Messages by seq, ascending; no seq twice. */
  readonly messages: Message[] = [];
  private readonly seqs = new Set<number>();
  /** Highest seq delivered or loaded: the `after_seq` of the next subscribe. */
  lastSeq: number;
  /** Whether older messages than the first held one exist on the server. */
  hasOlder = true;
  /** Whether the newest page has been loaded (done when the channel is first opened). */
  loaded = false;
  unread = 0;
  membership: Membership;
  subscribed = false;

  constructor(
    public channel: Channel,
    membership: Membership,
  ) {
    this.lastSeq = channel.last_seq;
    this.membership = membership;
  }

  get id(): string {
    return this.channel.id;
  }

  /** Adds a message unless its seq is already held; true when it was new. */
  add(message: Message): boolean {
    if (this.seqs.has(message.seq)) {
      return false;
    }
    this.seqs.add(message.seq);
    let i = this.messages.length;
    while (i > 0 && this.messages[i - 1].seq > message.seq) {
      i--;
    }
    this.messages.splice(i, 0, message);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    return true;
  }

  /** Adds a page of history; `hasMore` is the server's has_more for a backwards page. */
  addPage(messages: Message[], hasMore: boolean): void {
    for (const m of messages) {
      this.add(m);
    }
    this.hasOlder = hasMore;
    this.loaded = true;
  }

  /** The seq to page back from (exclusive), or null when nothing is held yet. */
  oldestSeq(): number | null {
    return this.messages.length ? this.messages[0].seq : null;
  }

  /** Forgets the messages (on leaving): a later join starts from the newest page again. */
  reset(): void {
    this.messages.length = 0;
    this.seqs.clear();
    this.hasOlder = true;
    this.loaded = false;
    this.unread = 0;
  }
}
