// libFuzzer target for the opaque page tokens of the REST listings: any bytes as a history
// page_token must be refused unless they carry this app's HMAC for this conversation, and as
// a conversation-list page_token must give a cursor or nothing; never a crash or undefined
// behaviour. What decodes must encode to a token that decodes the same. Seeds:
// fuzz/corpus/page_token (tokens of the fixed secret below, and list tokens).

#include "api/pagetoken.h"

#include <cstdint>
#include <cstdlib>

using namespace confab;
using namespace confab::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray token(reinterpret_cast<const char *>(data), qsizetype(size));

    const Expected<PageCursor> page = decodePageToken(token, "fuzz-secret", "app_fuzz", "c1");
    if (page) {
        if ((page->direction != 'a' && page->direction != 'b') || page->seq < 0)
            std::abort();
        const auto again = decodePageToken(encodePageToken(*page, "fuzz-secret", "app_fuzz", "c1"), "fuzz-secret",
                                           "app_fuzz", "c1");
        if (!again || again->direction != page->direction || again->seq != page->seq)
            std::abort();
        // Bound to the app, the conversation and the secret.
        if (decodePageToken(token, "fuzz-secret", "app_fuzz", "c2")
            || decodePageToken(token, "other-secret", "app_fuzz", "c1"))
            std::abort();
    } else if (page.error().code != ErrorCode::BadRequest) {
        std::abort();
    }

    if (const std::optional<store::ListCursor> list = decodeListToken(token)) {
        if (list->createdUs < 0 || list->id.isEmpty())
            std::abort();
        const auto again = decodeListToken(encodeListToken(*list));
        if (!again || again->createdUs != list->createdUs || again->id != list->id)
            std::abort();
    }
    return 0;
}
