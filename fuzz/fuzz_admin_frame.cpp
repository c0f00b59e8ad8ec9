// libFuzzer target for the admin WebSocket's frame parser: any bytes must give a frame, a
// Protocol error (close 4000) or a BadRequest with a message, never a crash, a hang or
// undefined behaviour. Seeds: fuzz/corpus/admin_frame (every frame of PROTOCOL.md section 6).

#include "admin/adminframe.h"

#include <cstdint>
#include <cstdlib>

using namespace confab::admin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const ParsedAdminFrame parsed = parseAdminFrame(input);
    switch (parsed.error) {
    case AdminFrameError::None:
        if (parsed.frame.intervalMs < -1 || parsed.frame.limit < -1 || !parsed.message.isEmpty())
            std::abort();
        break;
    case AdminFrameError::Protocol:
    case AdminFrameError::BadRequest:
        if (parsed.message.isEmpty())
            std::abort();
        break;
    }
    return 0;
}
