#ifndef PALIMPSEST_CTIMESTAMP_H
#define PALIMPSEST_CTIMESTAMP_H

// RFC 3161 time-stamp requests and answers through libcrypto's TS_* API (openssl/ts.h), for the
// checkpoints of the deletion log (Log/TimestampToken.swift). The OpenSSL headers stay inside
// ctimestamp.c: Swift sees bytes, integers and strings only.
#include <stddef.h>
#include <stdint.h>

/// A DER TimeStampReq (RFC 3161 §2.4.1, version 1) whose message imprint is `digest` (SHA-256),
/// with `nonce` and certReq true. Returns its length and sets `*out` (free it with
/// palimpsest_ts_free), or -1.
int palimpsest_ts_request(const unsigned char *digest, int length, uint64_t nonce, unsigned char **out);

/// Frees what palimpsest_ts_request returned (OPENSSL_free).
void palimpsest_ts_free(unsigned char *bytes);

/// Checks a DER TimeStampResp: granted, version 1, message imprint equal to `digest` (SHA-256)
/// and, with `ca_file`, a signature that verifies with a certificate chaining to the PEM
/// certificates in it (the signer's certificate travels in the token: certReq). Sets `*gen_time`
/// (seconds since 1970, UTC) from the token's genTime when it parses.
/// Returns 1 when all holds; 0 with a reason in `error`; -1 when it does not even parse.
int palimpsest_ts_verify(const unsigned char *der, long length, const unsigned char *digest, int digest_length,
                         const char *ca_file, int64_t *gen_time, char *error, size_t error_size);

#endif
