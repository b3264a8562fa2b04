#ifndef PALIMPSEST_CCURL_SHIM_H
#define PALIMPSEST_CCURL_SHIM_H

// Swift cannot call C variadic functions, so every curl_easy_setopt / curl_easy_getinfo /
// curl_multi_setopt call goes through one typed static inline wrapper below.

#include <curl/curl.h>

static inline CURLcode palimpsest_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode palimpsest_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode palimpsest_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode palimpsest_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode palimpsest_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*palimpsest_data_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode palimpsest_easy_setopt_data_callback(CURL *handle, CURLoption option, palimpsest_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

typedef int (*palimpsest_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode palimpsest_easy_setopt_progress_callback(CURL *handle, CURLoption option, palimpsest_progress_callback value) {
    return curl_easy_setopt(handle, option, value);
}

// CURLOPT_PREREQFUNCTION (libcurl 7.80+): called after each connection is made or reused, before
// each request on it (every hop of a redirect chain), with the address actually connected to.
typedef int (*palimpsest_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port, int local_port);

static inline CURLcode palimpsest_easy_setopt_prereq_callback(CURL *handle, palimpsest_prereq_callback value) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, value);
}

static inline CURLcode palimpsest_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode palimpsest_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode palimpsest_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode palimpsest_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode palimpsest_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline unsigned int palimpsest_curl_version_now(void) {
    return CURLVERSION_NOW;
}

static inline long palimpsest_libcurl_version_num(void) {
    return LIBCURL_VERSION_NUM;
}

// CURL_GLOBAL_DEFAULT is a macro built from other macros, which Swift does not import.
static inline CURLcode palimpsest_curl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

#endif
