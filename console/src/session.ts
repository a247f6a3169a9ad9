/** The API token, kept for the browser session only (sessionStorage): closing the tab or signing out forgets it. */
const KEY = 'recordengine.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
