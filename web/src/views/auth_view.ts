// The sign-in / sign-up form, with the one-time-code step for accounts that have TOTP.
import { Api, ApiError, type LoginResult } from '../api';
import { h, setText } from '../dom';
import { describeError } from '../errors';

/** Shows the form in `root`; calls `done` with the login once the user is signed in. */
export function showAuthView(root: HTMLElement, api: Api, done: (login: LoginResult) => void,
                             notice = ''): void {
  const username = h('input', {
    id: 'username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', minlength: 3, maxlength: 32,
  });
  const password = h('input', {
    id: 'password', name: 'password', type: 'password', required: true,
    autocomplete: 'current-password', minlength: 8,
  });
  const otp = h('input', {
    id: 'otp', name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9 ]{6,8}', maxlength: 8,
  });
  const otpRow = h('p', { class: 'field', hidden: true },
    h('label', { for: 'otp' }, 'Authentication code'), otp);
  const message = h('p', { class: 'form-error', role: 'alert', id: 'auth-error' }, notice);
  const signIn = h('button', { type: 'submit' }, 'Sign in');
  const signUp = h('button', { type: 'button', class: 'secondary' }, 'Create account');

  const busy = (on: boolean) => {
    signIn.disabled = on;
    signUp.disabled = on;
  };

  const login = async () => {
    try {
      const otpValue = otpRow.hidden ? undefined : otp.value.replace(/\s/g, '');
      done(await api.login(username.value.trim().toLowerCase(), password.value, otpValue));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'mfa_required') {
        const first = otpRow.hidden;
        otpRow.hidden = false;
        otp.required = true;
        setText(message, first ? describeError(err, 'login')
                               : 'That code was not accepted. Enter the current code from your app.');
        otp.focus();
      } else {
        setText(message, describeError(err, 'login'));
      }
    }
  };

  const form = h('form', { class: 'auth', 'aria-labelledby': 'auth-title', novalidate: true },
    h('h1', { id: 'auth-title' }, 'PlexiChat'),
    h('p', { class: 'hint' }, 'Sign in, or create an account with a new username.'),
    h('p', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('p', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    otpRow,
    message,
    h('p', { class: 'actions' }, signIn, signUp));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validate(username, password, message)) {
      return;
    }
    busy(true);
    setText(message, '');
    await login();
    busy(false);
  });
  signUp.addEventListener('click', async () => {
    if (!validate(username, password, message)) {
      return;
    }
    busy(true);
    setText(message, '');
    try {
      await api.register(username.value.trim().toLowerCase(), password.value);
      await login();
    } catch (err) {
      setText(message, describeError(err, 'register'));
    }
    busy(false);
  });

  root.replaceChildren(h('main', { class: 'auth-page' }, form));
  username.focus();
}

function validate(username: HTMLInputElement, password: HTMLInputElement,
                  message: HTMLElement): boolean {
  const name = username.value.trim().toLowerCase();
  if (!/^[a-z0-9_.-]{3,32}$/.test(name)) {
    setText(message, 'A username is 3 to 32 characters: letters, digits, "_", "." or "-".');
    username.focus();
    return false;
  }
  if (password.value.length < 8) {
    setText(message, 'A password has at least 8 characters.');
    password.focus();
    return false;
  }
  return true;
}
