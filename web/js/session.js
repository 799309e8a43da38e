// session: who is signed in. The access token lives in
// localStorage["access_token"] (as the reference app kept it); the handle
// chosen at sign-in is kept beside it for display only. The server decides
// who the bearer is; nothing here is trusted by it.

const TOKEN_KEY = "access_token";
const HANDLE_KEY = "cruddur_handle";
const REFRESH_KEY = "cruddur_refresh_token"; // Cognito's refresh token, for renewals

export function getToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; }
}

/** Decodes the token's claims (no verification: display and expiry only). */
export function tokenClaims(token = getToken()) {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const json = atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), "="));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

/** True when a token is stored and not known to be expired. */
export function isSignedIn() {
  const token = getToken();
  if (!token) return false;
  const claims = tokenClaims(token);
  return !(claims && typeof claims.exp === "number" && claims.exp * 1000 < Date.now());
}

/** The name to show for the signed-in user. */
export function displayHandle() {
  try {
    const stored = localStorage.getItem(HANDLE_KEY);
    if (stored) return stored;
  } catch { /* storage unavailable */ }
  return tokenClaims()?.username || "";
}

export function signIn(token, handle) {
  localStorage.setItem(TOKEN_KEY, token);
  if (handle) localStorage.setItem(HANDLE_KEY, handle);
  else localStorage.removeItem(HANDLE_KEY);
}

export function signOut() {
  try {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(HANDLE_KEY);
    localStorage.removeItem(REFRESH_KEY);
  } catch { /* nothing to clear */ }
}

/**
 * Cognito USER_PASSWORD_AUTH straight from the browser (the app client
 * must allow that flow and have no secret). Resolves to the access token;
 * rejects with an Error whose message is meant for the user.
 */
export async function cognitoSignIn(cognito, username, password) {
  const { res, data } = await initiateAuth(cognito, "USER_PASSWORD_AUTH",
    { USERNAME: username, PASSWORD: password });
  if (res.ok && data.AuthenticationResult?.AccessToken) {
    const refresh = data.AuthenticationResult.RefreshToken;
    try {
      if (refresh) localStorage.setItem(REFRESH_KEY, refresh);
    } catch { /* no renewals then */ }
    return data.AuthenticationResult.AccessToken;
  }
  if (res.ok && data.ChallengeName) {
    throw new Error(`Cognito asks for another step (${data.ChallengeName}); finish it in the hosted UI first.`);
  }
  const type = String(data.__type || "").split("#").pop();
  if (type === "NotAuthorizedException") throw new Error("Incorrect username or password.");
  if (type === "UserNotFoundException") throw new Error("Incorrect username or password.");
  if (type === "UserNotConfirmedException") throw new Error("This account is not confirmed yet.");
  if (type === "PasswordResetRequiredException") throw new Error("This account needs a password reset.");
  throw new Error(data.message || data.Message || `Sign-in failed (${res.status}).`);
}

/** One InitiateAuth call to Cognito: {res, data}. */
async function initiateAuth({ endpoint, region, clientId }, flow, parameters) {
  const url = endpoint || `https://cognito-idp.${region}.amazonaws.com/`;
  let res;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({ AuthFlow: flow, ClientId: clientId, AuthParameters: parameters }),
    });
  } catch {
    throw new Error("Cannot reach Amazon Cognito. Check your connection.");
  }
  return { res, data: await res.json().catch(() => ({})) };
}

/** Cognito's refresh token from the sign-in, or "". */
export function getRefreshToken() {
  try { return localStorage.getItem(REFRESH_KEY) || ""; } catch { return ""; }
}

/** A new access token from Cognito for the stored refresh token
    (InitiateAuth REFRESH_TOKEN_AUTH). */
export async function cognitoRefresh(cognito) {
  const { res, data } = await initiateAuth(cognito, "REFRESH_TOKEN_AUTH",
    { REFRESH_TOKEN: getRefreshToken() });
  const token = data.AuthenticationResult?.AccessToken;
  if (!res.ok || !token) throw new Error(data.message || `renewal failed (${res.status})`);
  return token;
}

/** Replaces the access token, keeping who is signed in (a renewal). */
export function renewed(token) {
  localStorage.setItem(TOKEN_KEY, token);
}
