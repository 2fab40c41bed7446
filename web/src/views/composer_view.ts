// The message box: Enter sends, Shift+Enter starts a new line; a counter shows the length
// and a message over the limit is refused before it is sent.
import { h, setText } from '../dom';

/** The node's default limit on message content, in Unicode characters (code points). */
export const MAX_MESSAGE_CHARS = 4000;

export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) {
    n++;
  }
  return n;
}

export class ComposerView {
  readonly el: HTMLFormElement;
  private readonly input = h('textarea', { id: 'composer', rows: 2, 'aria-describedby':
    'composer-counter composer-error' });
  private readonly label = h('label', { for: 'composer', class: 'visually-hidden' }, 'Message');
  private readonly counter = h('span', { id: 'composer-counter', class: 'counter' });
  private readonly error = h('p', { id: 'composer-error', class: 'form-error', role: 'alert' });
  private readonly button = h('button', { type: 'submit' }, 'Send');

  constructor(private readonly onSend: (text: string) => void) {
    this.el = h('form', { class: 'composer', 'aria-label': 'Send a message' },
      this.label, this.input, h('p', { class: 'composer-row' }, this.counter, this.button),
      this.error);
    this.input.addEventListener('input', () => this.update());
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.el.requestSubmit();
      }
    });
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    this.update();
  }

  setChannel(name: string | null): void {
    this.el.hidden = name === null;
    setText(this.label, name === null ? 'Message' : 'Message #' + name);
    this.input.placeholder = name === null ? '' : 'Message #' + name;
    setText(this.error, '');
  }

  focus(): void {
    this.input.focus();
  }

  showError(text: string): void {
    setText(this.error, text);
  }

  private submit(): void {
    const text = this.input.value;
    const n = charCount(text);
    if (text.trim() === '') {
      return;
    }
    if (n > MAX_MESSAGE_CHARS) {
      setText(this.error, `Message is too long: ${n} characters, the limit is ${MAX_MESSAGE_CHARS}.` +
        ' Shorten it to send.');
      return;
    }
    this.onSend(text);
    this.input.value = '';
    this.update();
    this.input.focus();
  }

  private update(): void {
    const n = charCount(this.input.value);
    const over = n > MAX_MESSAGE_CHARS;
    setText(this.counter, `${n} / ${MAX_MESSAGE_CHARS}`);
    this.counter.classList.toggle('over', over);
    this.input.setAttribute('aria-invalid', over ? 'true' : 'false');
    this.button.disabled = over;
    setText(this.error, over
      ? `Message is too long: ${n - MAX_MESSAGE_CHARS} characters over the limit of ` +
        `${MAX_MESSAGE_CHARS}.`
      : '');
  }
}
