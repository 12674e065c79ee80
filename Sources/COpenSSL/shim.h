#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
/* OpenSSL headers for digests, HMAC, AEAD and randomness. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#endif
