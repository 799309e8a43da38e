// renew: keeps the signed-in user signed in. The access token is renewed
// two minutes before it expires, so that nobody is sent to the sign-in page
// while typing: with Cognito through InitiateAuth REFRESH_TOKEN_AUTH (the
// refresh token kept at sign-in), in dev identity mode by asking the dev
// issuer for a new token. A failed renewal is tried again every 30 s while
// the token lasts; the event stream picks up the new token when it
// reconnects (the server ends a stream when its token expires).
import { devSignin, serverConfig } from "./api.js";
import { readConfig } from "./pages/signin.js";
import { cognitoRefresh, displayHandle, getRefreshToken, isSignedIn, renewed, tokenClaims } from "./session.js";

const EARLY_MS = 120 * 1000;
const RETRY_MS = 30 * 1000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

let timer = null;

async function renewNow() {
  timer = null;
  if (!isSignedIn()) return;
  try {
    let token;
    if (getRefreshToken()) {
      const { cognito } = readConfig(await serverConfig());
      token = await cognitoRefresh(cognito);
    } else {
      token = (await devSignin(displayHandle())).data.access_token;
    }
    if (token) renewed(token);
    schedule();
  } catch {
    timer = setTimeout(renewNow, RETRY_MS);
  }
}

/** (Re)plans the next renewal for the token in use. */
export function schedule() {
  clearTimeout(timer);
  timer = null;
  const exp = tokenClaims()?.exp;
  if (!isSignedIn() || typeof exp !== "number") return;
  const wait = Math.max(0, exp * 1000 - Date.now() - EARLY_MS);
  timer = setTimeout(renewNow, Math.min(wait, MAX_TIMEOUT_MS));
}

/** Stops renewing (sign-out). */
export function cancel() {
  clearTimeout(timer);
  timer = null;
}
