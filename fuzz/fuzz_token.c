/*
 * fuzz_token: libFuzzer target for access-token verification (auth.h):
 * auth_verify() and auth_verify_bearer() against a fixed key set and a
 * fixed clock, so that a token valid once stays valid in every run.
 *
 * Input: a mode letter, then
 *   't' or anything else: the rest is a token, verified as is and as an
 *       Authorization header value ("Bearer " is the fuzzer's to find);
 *   's': "<protected header JSON>\n<claims JSON>", signed here with the
 *       fuzz key (the header must name an alg the key fits) and verified,
 *       so that the claims checks, which only run after a good signature,
 *       see fuzzed claims too.
 * FUZZ_VERBOSE=1 prints each token and the verdict (to make seeds).
 *
 * The keys below exist only for fuzzing: FUZZ_KEY signs tokens (kid
 * "fuzz-rsa"); the key set also holds a P-256 key ("fuzz-ec") and a
 * 1024-bit RSA key ("fuzz-small") that no token may be accepted with.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jose/jose.h>
#include <jose/openssl.h>
#include <openssl/pem.h>

#include "auth/auth.h"

#define FUZZ_NOW 1700000000
#define FUZZ_ISSUER "http://localhost:4567"

static const char fuzz_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDQ+JREcW/KCHUs\n"
    "UXMA2HKNTLoPX7OcK0p+OcHl9HYhw086Eh2MuGOUzC7Ion3dUErVdCiJePrzee1H\n"
    "k9ptUKZmNy8npo3uzHQmCUQK2gFprVMOCXkR3iGzzo48Ni+RoUTfwWfc2N4/EDsT\n"
    "8hsx7nhB62sotxtGctEFoRxvzU8jP2a7MG8+KNw7XQ7Twc0ejsKgSqbqXvDKhjoV\n"
    "S0MFoDTRnFu2GBIJYLQe4pdLQd9/4OOJsFjnwYirQWbqfT1MffpJchA/T3wdSOci\n"
    "GbEyeFvl60qj4qvw8XzKMP++v+a9YCXfmuzP6vRLB/6wz8tG5dFFvoouw6wz0Dd5\n"
    "MUxYuUPvAgMBAAECggEAMmda391aoOkEVjG5IwGSM8nHcRDc0jTQ7XxB7BTYb5Fb\n"
    "6T5YWUpaXpgXSraC1GBbBHxVkL8ZDKQimuqrO0XCNRJncdFnF6vB8jC29EUcJSC0\n"
    "0URwquIgz+1o+lX5iE9VPQE565d1l9Fy5n81lwgVgpTljncIAaiNCSYQpVjoly/y\n"
    "e0EqIeNDTc8g1agaVg0TqxRxW4p8bNM+ayx/0W+aEmqazvxSLy/Buk+d7ORsX/jY\n"
    "WhGmCf8op8HmebJniprD+4Jayd1KbfDf0IPHCVfy3kNS9z1uVxiFOk5oiR4f08pE\n"
    "kMh8aQEfSL2VcMskG1IcUZSA59rtYjSFJlVNnGz59QKBgQD0AwBrstCSiHFqScme\n"
    "qW3YVFuffjmuuq+MXsQKDhsovLYBCaB2wgWrT1cSPrtRrVPOyatpMnuaZJ9TohLg\n"
    "Ybyv2y+Oy1f4MkiE6A9hWsjvMjivCZoW/303FnlAxWKjCFPohNE7OoPXDmKmpniI\n"
    "I+GOuk7MqSfxSra5ToTorDScPQKBgQDbPNyIAEgMqMy/rUiIRYqbeUkbESpaFPYm\n"
    "OF0Va5TUNYmkpnkX/r85pz0RbPn4ZwWZDBH81vrCiwf4MgcujyLGMgJvHewgJVi7\n"
    "BEnBHYq9Z9BKDXBKTw321gACi/D2XK3ZsNSKhZR0gUo0WVR0PXvMx+Dm6xBJ5Iau\n"
    "SsOlY40HmwKBgQDlkbVhnfgxBIF/uDAiP9ECiEszQPRP+X+TlszlkOPobbLmQwJe\n"
    "+KeQxrJqje56J5IDqSTFciNr3GMxsfgEdq+o25RgydrXvacQs6tUsq78q8k8lNIN\n"
    "9Qz/OPuW/p2QOROIXPzktma3e+dAVrpriyZ4u7vLPRJBJ0PGD6NnrCxLGQKBgQCB\n"
    "7EFsv23zQp2EAfb3+u43UNsIFVYZ6E4vPDu9k/GxCME3OAiPNcKxMfC4wPIqSTNC\n"
    "DasjQWt9mtLwPQWQi/a5qa1TmFH0gu1gdxwWO6GauUjweaJQByVpYEzFNZVpCmdk\n"
    "mKx8IsllebE18LJh6IXTR6h6cFdI0wsVgu0KuEI9fQKBgQC8ngbtOjL/B6DaFGCn\n"
    "mnTk1bT7a57xkMISLiDEAKzjEhji5fCiUIzA6FjYplOsuD42xfX+jXmgGaaRSgPv\n"
    "GFjoY4GXMJDT/S8wvWKwnPZwU5vcVawBD83ZwiCT3mG6Un/o2c/oAisv2f9WlZwX\n"
    "wizx7FUNGahhsicJtRg3HG9RHw==\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_ec_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAZA2670wDc5IWR6LD0uRhpSONCsi\n"
    "4DB4cFn8QtG/6N22lGgJ0fOmf8OXX45OPaJ4G7+NeoyxWDsiM4kgeK+rdQ==\n"
    "-----END PUBLIC KEY-----\n";

static const char fuzz_small_pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCcx1zO+d9vTjKMR6Ti+DIH3pVs\n"
    "XpL66A9jDBJnBlzNn5pabiW2Rhlq1Yn5LX4Wxj/t+K2csoUykUiQYTOPPaNlRr9z\n"
    "d6Ilnz7dz+s3ZLg7tVQ+g7nDisE3kqU/i9avZNI4zozPf8EnEZY0MdBU+hiYbopF\n"
    "/Yoo8eRU7gMSeMF4hQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static json_t *g_key; /* private JWK of FUZZ_KEY */
static auth_verifier_t *g_verifier;

static int64_t fixed_clock(void *arg)
{
    (void)arg;
    return FUZZ_NOW;
}

/* A JWK from a PEM key (private or public) with the given kid; aborts on failure. */
static json_t *jwk_from_pem(const char *pem, const char *kid, const char *alg)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pkey = strstr(pem, "PRIVATE") ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                                            : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    json_t *jwk = pkey ? jose_openssl_jwk_from_EVP_PKEY(NULL, pkey) : NULL;
    EVP_PKEY_free(pkey);
    if (!jwk) {
        fprintf(stderr, "fuzz_token: cannot load the key %s\n", kid);
        abort();
    }
    json_object_set_new(jwk, "kid", json_string(kid));
    json_object_set_new(jwk, "alg", json_string(alg));
    json_object_set_new(jwk, "use", json_string("sig"));
    return jwk;
}

/* The public half of a JWK (new reference). */
static json_t *public_of(const json_t *jwk)
{
    json_t *pub = json_deep_copy(jwk);
    if (!jose_jwk_pub(NULL, pub)) abort();
    return pub;
}

static void setup(void)
{
    g_key = jwk_from_pem(fuzz_key_pem, "fuzz-rsa", "RS256");
    json_t *ec = jwk_from_pem(fuzz_ec_pub_pem, "fuzz-ec", "ES256");
    json_t *small = jwk_from_pem(fuzz_small_pub_pem, "fuzz-small", "RS256");
    json_t *jwks = json_pack("{s:[o,o,o]}", "keys", public_of(g_key), ec, small);
    auth_config_t cfg;
    auth_config_init(&cfg);
    cfg.issuer = FUZZ_ISSUER;
    cfg.client_id = AUTH_DEV_CLIENT_ID;
    cfg.jwks = jwks;
    cfg.cache_entries = 8;
    cfg.clock = fixed_clock;
    auth_error_t err;
    g_verifier = auth_verifier_new(&cfg, &err);
    json_decref(jwks);
    if (!g_verifier) {
        fprintf(stderr, "fuzz_token: verifier: %s\n", err.reason);
        abort();
    }
}

/* Verifies a token both bare and as a header value. */
static void verify(const char *token)
{
    auth_claims_t claims;
    auth_error_t err;
    bool ok = auth_verify(g_verifier, token, &claims, &err);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s\n  -> %s %s\n", token, ok ? "accepted" : auth_code_name(err.code),
                ok ? claims.sub : err.reason);
    if (ok && (!claims.sub[0] || !claims.username[0])) {
        fprintf(stderr, "fuzz_token: accepted a token without sub or username\n");
        abort();
    }
    auth_verify_bearer(g_verifier, token, &claims, &err);
}

/* Signs "<header>\n<claims>" with the fuzz key and verifies the result. */
static void sign_and_verify(const char *text)
{
    const char *nl = strchr(text, '\n');
    if (!nl) return;
    json_t *header = json_loadb(text, (size_t)(nl - text), 0, NULL);
    json_t *claims = json_loads(nl + 1, JSON_DECODE_ANY, NULL);
    if (json_is_object(header) && claims) {
        auth_error_t err;
        char *token = auth_jws_sign_compact(g_key, header, claims, &err);
        if (token) verify(token);
        free(token);
    }
    json_decref(header);
    json_decref(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_verifier) setup();
    if (size < 1 || size > 3 * AUTH_TOKEN_MAX) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] == 's')
        sign_and_verify(text);
    else
        verify(text);
    free(text);
    return 0;
}
