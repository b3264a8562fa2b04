#ifndef PALIMPSEST_CLIBXML2_SHIM_H
#define PALIMPSEST_CLIBXML2_SHIM_H

// libxml2's HTML parser (htmlReadMemory) and tree API, for PalimpsestCore's HTMLDocument.
// Header paths come from pkg-config (libxml-2.0: -I/usr/include/libxml2).

// Debian builds libxml2 with ICU, so <libxml/encoding.h> includes the system's <unicode/ucnv.h>;
// Foundation ships its own ICU headers (module _FoundationICU) whose enums differ, and a Swift
// file importing both fails to compile. Nothing here uses libxml2's ICU converters (pages are
// converted to UTF-8 before parsing, and encoding handlers are only ever used through
// pointers), so the ICU part of the headers is switched off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/parser.h>

/// Frees a libxml2 document (xmlFreeDoc), so Swift never touches libxml2's global allocator
/// variables (xmlFree and friends are mutable C globals).
static inline void palimpsest_html_free_document(htmlDocPtr document) {
    if (document != NULL) {
        xmlFreeDoc(document);
    }
}

#endif
