// Entry point: signs in (or resumes the saved login) and opens the chat.
import { Api, type LoginResult } from './api';
import { ChatController } from './chat_controller';
import { loadSession, saveSession } from './storage';
import { showAuthView } from './views/auth_view';

const root = document.getElementById('app') as HTMLElement;

function signedIn(api: Api, login: LoginResult): void {
  saveSession(login);
  api.token = login.token;
  const chat = new ChatController(root, api, login.user, login.token, (notice) => {
    saveSession(null);
    api.token = null;
    signIn(notice);
  });
  chat.start();
}

function signIn(notice = ''): void {
  const api = new Api();
  showAuthView(root, api, (login) => signedIn(api, login), notice);
}

const saved = loadSession();
if (saved) {
  signedIn(new Api(saved.token), saved);
} else {
  signIn();
}
