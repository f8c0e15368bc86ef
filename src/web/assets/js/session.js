/**
 * The signed-in token, kept in sessionStorage: per tab, gone when the tab closes, never sent by the
 * browser on its own (it travels only in the Authorization header this code adds), so there is no
 * cookie to forge a request with. See docs/DECISIONS.md (Dashboard).
 */
const KEY = 'bulwark.token';
let whoami = null;

export const getToken = () => sessionStorage.getItem(KEY);
export function setToken(token, identity) {
  sessionStorage.setItem(KEY, token);
  whoami = identity;
}
export function clearToken() {
  sessionStorage.removeItem(KEY);
  whoami = null;
}
export const identity = () => whoami;
export const setIdentity = (v) => (whoami = v);

const RANK = { read: 1, write: 2, admin: 3 };
/** Whether the signed-in token's scope covers `scope` (unknown identity: let the server decide). */
export const hasScope = (scope) => !whoami || (RANK[whoami.scope] ?? 0) >= (RANK[scope] ?? 99);
