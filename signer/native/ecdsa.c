// Deterministic ECDSA P-256 with SHA-256 (RFC 6979 §3.2), from OpenSSL as linked into Node.
// signer/deterministic-ecdsa.ts computes the same signatures in JavaScript where this is not
// built; the tests hold both to the RFC 6979 vectors and to each other.
//
// Why: every process that serves a zone must make the same RRSIG for the same RRset (IXFR
// steps name the RRSIGs a secondary deletes), so the nonce comes from the key and the message
// (RFC 6979), not from a random source. node:crypto has no way to pass a nonce, and the
// JavaScript fallback does the modular arithmetic in BigInts: about 2.5 times the time of
// node:crypto's randomised signing. Here the nonce's HMAC-DRBG, the point multiplication,
// the inversion of k and the final step all run in OpenSSL.
//
// Side channels: k·G uses OpenSSL's constant-time multiplication by the generator; k is
// inverted by constant-time exponentiation (Fermat); s is computed by ECDSA_do_sign_ex,
// OpenSSL's own signing step, which blinds the private key's multiplication.
//
// Contract with JavaScript:
//   sign(d, data) -> Buffer of 64 octets, r || s (RFC 6605 §4), where d is the 32-octet
//   private scalar and data the octets to sign (hashed here with SHA-256).
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <string.h>

#define LEN 32

static EC_GROUP *group;
static const BIGNUM *order;
static BIGNUM *order_minus_2;
static BN_MONT_CTX *order_mont;
static BN_CTX *bn;

// The EC_KEYs of the few private keys in use (KSK and ZSK of a handful of zones), by scalar.
#define KEYS 16
static struct { unsigned char d[LEN]; EC_KEY *key; } keys[KEYS];
static int next_key;

static EC_KEY *key_for(const unsigned char *d) {
  for (int i = 0; i < KEYS; i++) if (keys[i].key && memcmp(keys[i].d, d, LEN) == 0) return keys[i].key;
  EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM *priv = BN_bin2bn(d, LEN, NULL);
  if (!k || !priv || EC_KEY_set_private_key(k, priv) != 1) { BN_clear_free(priv); EC_KEY_free(k); return NULL; }
  BN_clear_free(priv);
  int slot = next_key;
  next_key = (next_key + 1) % KEYS;
  if (keys[slot].key) EC_KEY_free(keys[slot].key);
  memcpy(keys[slot].d, d, LEN);
  keys[slot].key = k;
  return k;
}

// HMAC-SHA256 with a 32-octet key over the concatenation of `n` parts (RFC 2104).
static void hmac(const unsigned char key[LEN], const unsigned char *const parts[], const size_t lens[], int n, unsigned char out[LEN]) {
  unsigned char pad[64], inner[LEN];
  SHA256_CTX c;
  memset(pad, 0x36, sizeof pad);
  for (int i = 0; i < LEN; i++) pad[i] ^= key[i];
  SHA256_Init(&c);
  SHA256_Update(&c, pad, sizeof pad);
  for (int i = 0; i < n; i++) SHA256_Update(&c, parts[i], lens[i]);
  SHA256_Final(inner, &c);
  memset(pad, 0x5c, sizeof pad);
  for (int i = 0; i < LEN; i++) pad[i] ^= key[i];
  SHA256_Init(&c);
  SHA256_Update(&c, pad, sizeof pad);
  SHA256_Update(&c, inner, LEN);
  SHA256_Final(out, &c);
  OPENSSL_cleanse(pad, sizeof pad);
}

// One signature with nonce k: 0 when r or s came out 0 (the caller takes the next nonce).
static int sign_with(EC_KEY *key, const unsigned char h1[LEN], BIGNUM *k, unsigned char out[2 * LEN]) {
  int ok = 0;
  EC_POINT *p = EC_POINT_new(group);
  BIGNUM *x = BN_new(), *r = BN_new(), *kinv = BN_new();
  ECDSA_SIG *sig = NULL;
  if (!p || !x || !r || !kinv) goto done;
  BN_set_flags(k, BN_FLG_CONSTTIME);
  if (EC_POINT_mul(group, p, k, NULL, NULL, bn) != 1) goto done;
  if (EC_POINT_get_affine_coordinates(group, p, x, NULL, bn) != 1) goto done;
  if (BN_nnmod(r, x, order, bn) != 1 || BN_is_zero(r)) goto done;
  if (BN_mod_exp_mont_consttime(kinv, k, order_minus_2, order, bn, order_mont) != 1) goto done;
  sig = ECDSA_do_sign_ex(h1, LEN, kinv, r, key);
  if (!sig) goto done;
  const BIGNUM *sr, *ss;
  ECDSA_SIG_get0(sig, &sr, &ss);
  if (BN_is_zero(ss)) goto done;
  ok = BN_bn2binpad(sr, out, LEN) == LEN && BN_bn2binpad(ss, out + LEN, LEN) == LEN;
done:
  ECDSA_SIG_free(sig);
  BN_clear_free(kinv);
  BN_free(r);
  BN_free(x);
  EC_POINT_free(p);
  return ok;
}

static napi_value sign(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  unsigned char *d = NULL, *data = NULL, *out = NULL;
  size_t dlen = 0, datalen = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_buffer_info(env, argv[0], (void **)&d, &dlen) != napi_ok || dlen != LEN ||
      napi_get_buffer_info(env, argv[1], (void **)&data, &datalen) != napi_ok) {
    napi_throw_type_error(env, NULL, "sign(d, data): d is a 32-octet Buffer, data a Buffer");
    return NULL;
  }
  EC_KEY *key = key_for(d);
  if (!key) { napi_throw_error(env, NULL, "not a P-256 private key"); return NULL; }
  unsigned char h1[LEN], hn[LEN], V[LEN], K[LEN], sig[2 * LEN];
  SHA256(data, datalen, h1);
  // bits2octets(h1) (RFC 6979 §2.3.4): h1 reduced mod n; qlen = hlen = 256, so no shift.
  BIGNUM *h = BN_bin2bn(h1, LEN, NULL), *k = BN_new();
  if (!h || !k) { BN_free(h); BN_free(k); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  if (BN_cmp(h, order) >= 0) BN_sub(h, h, order);
  BN_bn2binpad(h, hn, LEN);
  BN_free(h);
  const unsigned char zero = 0x00, one = 0x01;
  memset(V, 0x01, LEN);
  memset(K, 0x00, LEN);
  { const unsigned char *p[] = { V, &zero, d, hn }; const size_t l[] = { LEN, 1, LEN, LEN }; hmac(K, p, l, 4, K); }  // step d
  { const unsigned char *p[] = { V }; const size_t l[] = { LEN }; hmac(K, p, l, 1, V); }                              // step e
  { const unsigned char *p[] = { V, &one, d, hn }; const size_t l[] = { LEN, 1, LEN, LEN }; hmac(K, p, l, 4, K); }   // step f
  { const unsigned char *p[] = { V }; const size_t l[] = { LEN }; hmac(K, p, l, 1, V); }                              // step g
  int done = 0;
  for (int tries = 0; tries < 64 && !done; tries++) {
    { const unsigned char *p[] = { V }; const size_t l[] = { LEN }; hmac(K, p, l, 1, V); }                            // step h.2
    BN_bin2bn(V, LEN, k);
    if (!BN_is_zero(k) && BN_cmp(k, order) < 0) done = sign_with(key, h1, k, sig);
    if (!done) {                                                                                                     // step h.3
      { const unsigned char *p[] = { V, &zero }; const size_t l[] = { LEN, 1 }; hmac(K, p, l, 2, K); }
      { const unsigned char *p[] = { V }; const size_t l[] = { LEN }; hmac(K, p, l, 1, V); }
    }
  }
  BN_clear_free(k);
  OPENSSL_cleanse(K, LEN);
  OPENSSL_cleanse(V, LEN);
  if (!done) { napi_throw_error(env, NULL, "ECDSA signing failed"); return NULL; }
  napi_create_buffer_copy(env, sizeof sig, sig, (void **)&out, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (!group) {
    group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    bn = BN_CTX_new();
    order_minus_2 = BN_new();
    if (!group || !bn || !order_minus_2) { napi_throw_error(env, NULL, "OpenSSL P-256 set-up failed"); return NULL; }
    order = EC_GROUP_get0_order(group);
    BN_copy(order_minus_2, order);
    BN_sub_word(order_minus_2, 2);
    order_mont = BN_MONT_CTX_new();
    if (!order_mont || BN_MONT_CTX_set(order_mont, order, bn) != 1) { napi_throw_error(env, NULL, "OpenSSL P-256 set-up failed"); return NULL; }
  }
  napi_create_function(env, "sign", NAPI_AUTO_LENGTH, sign, NULL, &fn);
  napi_set_named_property(env, exports, "sign", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
