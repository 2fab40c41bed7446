// The channel list: the user's channels (with unread counts), public channels to join, and
// the form that creates a channel.
import type { ChannelState } from '../channel_state';
import { h, setChildren, setText } from '../dom';

export interface SidebarActions {
  select(channelId: string): void;
  join(channelId: string): Promise<void>;
  create(name: string, topic: string, isPrivate: boolean): Promise<void>;
}

export class SidebarView {
  readonly el: HTMLElement;
  private readonly mine = h('ul', { class: 'channel-list', 'aria-labelledby': 'mine-title' });
  private readonly others = h('ul', { class: 'channel-list', 'aria-labelledby': 'others-title' });
  private readonly othersTitle = h('h2', { id: 'others-title' }, 'Public channels to join');
  private readonly createError = h('p', { class: 'form-error', role: 'alert' });

  constructor(private readonly actions: SidebarActions, userId: string) {
    this.el = h('nav', { id: 'sidebar', class: 'sidebar', 'aria-label': 'Channels' },
      h('h2', { id: 'mine-title' }, 'Your channels'), this.mine,
      this.othersTitle, this.others,
      this.createForm(),
      h('p', { class: 'hint' }, 'Your user ID (others add you to private channels with it): ',
        h('code', { class: 'user-id' }, userId)));
  }

  render(channels: ChannelState[], activeId: string | null): void {
    const byName = [...channels].sort((a, b) => a.channel.name.localeCompare(b.channel.name));
    const mine = byName.filter((c) => c.membership !== 'not_member');
    const others = byName.filter((c) => c.membership === 'not_member');
    setChildren(this.mine, ...mine.map((c) => this.channelItem(c, c.id === activeId)));
    if (mine.length === 0) {
      setChildren(this.mine, h('li', { class: 'empty' }, 'None yet: join or create one.'));
    }
    setChildren(this.others, ...others.map((c) => this.joinItem(c)));
    this.othersTitle.hidden = others.length === 0;
  }

  private channelItem(c: ChannelState, active: boolean): HTMLElement {
    const label = (c.channel.private ? 'Private channel ' : 'Channel ') + c.channel.name +
      (c.unread ? `, ${c.unread} unread` : '');
    return h('li', {},
      h('button', {
        type: 'button', class: 'channel', 'aria-current': active ? 'true' : null,
        'aria-label': label, 'data-channel': c.id, onclick: () => this.actions.select(c.id),
      },
      h('span', { class: 'channel-name' }, (c.channel.private ? '🔒 ' : '# ') + c.channel.name),
      c.unread > 0 && h('span', { class: 'badge', 'aria-hidden': 'true' },
        c.unread > 99 ? '99+' : c.unread)));
  }

  private joinItem(c: ChannelState): HTMLElement {
    const button = h('button', {
      type: 'button', class: 'secondary small', 'aria-label': 'Join ' + c.channel.name,
    }, 'Join');
    button.addEventListener('click', async () => {
      button.disabled = true;
      await this.actions.join(c.id);
      button.disabled = false;
    });
    return h('li', { class: 'joinable' },
      h('span', { class: 'channel-name' }, '# ' + c.channel.name), button);
  }

  private createForm(): HTMLElement {
    const name = h('input', { id: 'new-channel-name', required: true, maxlength: 64 });
    const topic = h('input', { id: 'new-channel-topic', maxlength: 1024 });
    const priv = h('input', { id: 'new-channel-private', type: 'checkbox' });
    const submit = h('button', { type: 'submit' }, 'Create channel');
    const form = h('form', { class: 'create-channel', 'aria-labelledby': 'create-title' },
      h('h2', { id: 'create-title' }, 'New channel'),
      h('p', { class: 'field' }, h('label', { for: 'new-channel-name' }, 'Name'), name),
      h('p', { class: 'field' }, h('label', { for: 'new-channel-topic' }, 'Topic (optional)'),
        topic),
      h('p', { class: 'check' }, priv,
        h('label', { for: 'new-channel-private' }, 'Private (members only)')),
      this.createError, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!name.value.trim()) {
        setText(this.createError, 'Give the channel a name.');
        name.focus();
        return;
      }
      submit.disabled = true;
      setText(this.createError, '');
      try {
        await this.actions.create(name.value.trim(), topic.value.trim(), priv.checked);
        form.reset();
      } catch (err) {
        setText(this.createError, err instanceof Error ? err.message : String(err));
      }
      submit.disabled = false;
    });
    return form;
  }
}
