#ifndef PALIMPSEST_CZLIB_SHIM_H
#define PALIMPSEST_CZLIB_SHIM_H

// zlib's inflate API, for reading deletion logs that logrotate compressed with gzip
// (PalimpsestCore's GzipReader). Header path from pkg-config (zlib).
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h, which Swift does not import: this is the same call.
/// windowBits 15 + 32 accepts a gzip or a zlib header (automatic detection).
static inline int palimpsest_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
