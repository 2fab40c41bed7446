// The signed-in page: top bar, connection banner, channel list, open channel.
import type { ChannelState } from '../channel_state';
import { h, setChildren, setText } from '../dom';
import { ComposerView } from './composer_view';
import { MessagesView, type MessagesActions } from './messages_view';
import { SidebarView, type SidebarActions } from './sidebar_view';

export interface ChatActions extends SidebarActions, MessagesActions {
  send(text: string): void;
  leave(): Promise<void>;
  addMember(who: string): Promise<void>;
  logout(): void;
  retryConnection(): void;
}

export class ChatView {
  readonly sidebar: SidebarView;
  readonly messages: MessagesView;
  readonly composer: ComposerView;
  private readonly banner = h('div', { class: 'banner', role: 'status', hidden: true });
  private readonly notice = h('p', { class: 'notice', role: 'alert' });
  private readonly title = h('h2', { id: 'channel-title' }, 'No channel open');
  private readonly topic = h('p', { class: 'topic' });
  private readonly leaveButton = h('button', { type: 'button', class: 'secondary small' },
    'Leave channel');
  private readonly addForm: HTMLFormElement;
  private readonly addInput = h('input', { id: 'add-member', list: 'known-users',
    autocomplete: 'off', required: true });
  private readonly known = h('datalist', { id: 'known-users' });
  private readonly menuButton = h('button', { type: 'button', class: 'menu secondary small',
    'aria-controls': 'sidebar', 'aria-expanded': 'false' }, 'Channels');
  private readonly layout: HTMLElement;
  private shownId: string | null = null;

  constructor(root: HTMLElement, username: string, userId: string,
              private readonly actions: ChatActions) {
    this.sidebar = new SidebarView(actions, userId);
    this.messages = new MessagesView(actions);
    this.composer = new ComposerView((text) => actions.send(text));
    this.addForm = this.buildAddForm();
    this.leaveButton.addEventListener('click', () => void actions.leave());
    this.menuButton.addEventListener('click', () => this.toggleMenu());
    const main = h('main', { class: 'channel', 'aria-labelledby': 'channel-title' },
      h('header', { class: 'channel-head' },
        h('div', { class: 'channel-title' }, this.title, this.topic),
        this.leaveButton, this.addForm),
      this.notice, this.messages.el, this.composer.el);
    this.layout = h('div', { class: 'layout' }, this.sidebar.el, main);
    const logout = h('button', { type: 'button', class: 'secondary small' }, 'Log out');
    logout.addEventListener('click', () => actions.logout());
    root.replaceChildren(
      h('a', { class: 'skip-link', href: '#composer' }, 'Skip to message box'),
      h('header', { class: 'topbar' }, this.menuButton, h('h1', {}, 'PlexiChat'),
        h('span', { class: 'whoami' }, 'Signed in as ', h('strong', {}, username)), logout),
      this.banner, this.layout, this.known);
  }

  /** Shows the open channel's header (or none). */
  showChannel(state: ChannelState | null): void {
    setText(this.title, state ? (state.channel.private ? '🔒 ' : '# ') + state.channel.name
                              : 'No channel open');
    setText(this.topic, state?.channel.topic ?? 'Pick a channel on the left, or create one.');
    this.leaveButton.hidden = !state || state.membership !== 'member';
    this.addForm.hidden = !state || !state.channel.private;
    this.composer.setChannel(state && state.membership !== 'not_member' ? state.channel.name
                                                                         : null);
    this.messages.el.hidden = !state;
    // Only another channel closes the menu: a refresh of this one (the list is fetched again
    // in the background) leaves it as the user left it.
    const id = state?.id ?? null;
    if (id !== this.shownId) {
      this.shownId = id;
      this.closeMenu();
    }
  }

  showNotice(text: string): void {
    setText(this.notice, text);
  }

  /** Connection banner: hidden when online, otherwise says what happened and what is next. */
  showConnection(text: string | null, canRetry: boolean): void {
    this.banner.hidden = text === null;
    if (text === null) {
      return;
    }
    const retry = canRetry && h('button', { type: 'button', class: 'small',
      onclick: () => this.actions.retryConnection() }, 'Retry now');
    setChildren(this.banner, h('span', {}, text), ' ', retry);
  }

  setKnownUsers(names: string[]): void {
    setChildren(this.known, ...names.map((n) => h('option', { value: n })));
  }

  private buildAddForm(): HTMLFormElement {
    const form = h('form', { class: 'add-member', 'aria-label': 'Add a member' },
      h('label', { for: 'add-member' }, 'Add member (username seen here, or user ID)'),
      this.addInput, h('button', { type: 'submit', class: 'small' }, 'Add'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const who = this.addInput.value.trim();
      if (who) {
        await this.actions.addMember(who);
        this.addInput.value = '';
      }
    });
    return form;
  }

  private toggleMenu(): void {
    const open = !this.layout.classList.contains('menu-open');
    this.layout.classList.toggle('menu-open', open);
    this.menuButton.setAttribute('aria-expanded', String(open));
    if (open) {
      this.sidebar.el.querySelector('button')?.focus();
    }
  }

  /** Closes the channel menu of a narrow screen (a channel was picked from it). */
  closeMenu(): void {
    this.layout.classList.remove('menu-open');
    this.menuButton.setAttribute('aria-expanded', 'false');
  }
}
