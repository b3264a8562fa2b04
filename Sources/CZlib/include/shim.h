// zlib, for the gzip members of the WARC evidence files (Store/WARC*.swift).
#include <zlib.h>
