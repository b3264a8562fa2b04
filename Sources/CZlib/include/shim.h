#ifndef PALIMPSEST_CZLIB_SHIM_H
#define PALIMPSEST_CZLIB_SHIM_H

// zlib: the gzip members of the WARC evidence files (Store/Gzip.swift), and deletion logs that
// logrotate compressed (Log/GzipReader.swift). Header path from pkg-config (zlib).
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h, which Swift does not import: this is the same call.
/// windowBits 15 + 32 accepts a gzip or a zlib header (automatic detection).
static inline int palimpsest_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
