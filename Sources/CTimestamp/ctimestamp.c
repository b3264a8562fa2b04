// See include/ctimestamp.h. libcrypto (Debian's libssl-dev): TS_REQ, TS_RESP, TS_VERIFY_CTX.
#include "ctimestamp.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include <time.h>

/// The last libcrypto error as text in `buffer` (empty when none), clearing the queue.
static void last_error(char *buffer, size_t size) {
    unsigned long code = ERR_get_error();
    if (size == 0) return;
    buffer[0] = 0;
    if (code != 0) ERR_error_string_n(code, buffer, size);
    ERR_clear_error();
}

int palimpsest_ts_request(const unsigned char *digest, int length, uint64_t nonce, unsigned char **out) {
    int result = -1;
    TS_REQ *request = TS_REQ_new();
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *algorithm = X509_ALGOR_new();
    ASN1_INTEGER *number = ASN1_INTEGER_new();
    *out = NULL;
    if (request && imprint && algorithm && number
        && X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL)
        && TS_MSG_IMPRINT_set_algo(imprint, algorithm)
        && TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)digest, length)
        && TS_REQ_set_version(request, 1)
        && TS_REQ_set_msg_imprint(request, imprint)
        && ASN1_INTEGER_set_uint64(number, nonce)
        && TS_REQ_set_nonce(request, number)
        && TS_REQ_set_cert_req(request, 1)) {
        result = i2d_TS_REQ(request, out);
    }
    ASN1_INTEGER_free(number);
    X509_ALGOR_free(algorithm);
    TS_MSG_IMPRINT_free(imprint);
    TS_REQ_free(request);
    return result;
}

void palimpsest_ts_free(unsigned char *bytes) { OPENSSL_free(bytes); }

int palimpsest_ts_verify(const unsigned char *der, long length, const unsigned char *digest, int digest_length,
                         const char *ca_file, int64_t *gen_time, char *error, size_t error_size) {
    const unsigned char *cursor = der;
    TS_RESP *response = d2i_TS_RESP(NULL, &cursor, length);
    if (error_size > 0) error[0] = 0;
    if (!response) {
        last_error(error, error_size);
        return -1;
    }
    TS_TST_INFO *info = TS_RESP_get_tst_info(response);
    if (info) {
        const ASN1_GENERALIZEDTIME *time = TS_TST_INFO_get_time(info);
        struct tm parts;
        memset(&parts, 0, sizeof parts);
        if (time && ASN1_TIME_to_tm(time, &parts)) *gen_time = (int64_t)timegm(&parts);
    }
    int result = 0;
    TS_VERIFY_CTX *context = TS_VERIFY_CTX_new();
    X509_STORE *store = ca_file ? X509_STORE_new() : NULL;
    unsigned char *imprint = OPENSSL_malloc(digest_length);
    if (context && imprint && (!ca_file || (store && X509_STORE_load_file(store, ca_file) == 1))) {
        memcpy(imprint, digest, digest_length);
        // Without CA certificates: granted, version and imprint only (what the daemon checks
        // before it stores an answer); with them, the signature and its chain too.
        TS_VERIFY_CTX_set_flags(context, TS_VFY_VERSION | TS_VFY_IMPRINT | (ca_file ? TS_VFY_SIGNATURE : 0));
        TS_VERIFY_CTX_set_imprint(context, imprint, digest_length);
        imprint = NULL;
        if (store) {
            TS_VERIFY_CTX_set_store(context, store);
            store = NULL;
        }
        result = TS_RESP_verify_response(context, response) == 1 ? 1 : 0;
    }
    if (result != 1) last_error(error, error_size);
    OPENSSL_free(imprint);
    X509_STORE_free(store);
    TS_VERIFY_CTX_free(context);
    TS_RESP_free(response);
    return result;
}
